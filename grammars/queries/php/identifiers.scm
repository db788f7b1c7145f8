(name) @identifier

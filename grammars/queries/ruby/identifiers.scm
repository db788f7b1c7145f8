(identifier) @identifier
(constant) @identifier

(command_name (word) @identifier)
(variable_name) @identifier

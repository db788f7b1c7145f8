((command name: (command_name (word) @_command) argument: [(word) (raw_string)] @source) @import
 (#match? @_command "^(source|\\.)$"))
((command name: (command_name (word) @_command) argument: (string (string_content) @source)) @import
 (#match? @_command "^(source|\\.)$"))

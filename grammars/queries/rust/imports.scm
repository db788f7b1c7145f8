(use_declaration argument: (scoped_identifier name: (identifier) @name) @source) @import
(use_declaration argument: (scoped_use_list list: (use_list (identifier) @name)) @source) @import
(use_declaration argument: (scoped_use_list list: (use_list (use_as_clause path: (identifier) @name alias: (identifier) @alias))) @source) @import
(mod_item name: (identifier) @source !body) @import

; @source: the module; @name: a name it defines; @alias: the local name bound to @name or to the module.
; @import: the whole statement, which an edit must touch to change the import.
(import_from_statement module_name: (_) @source name: (dotted_name) @name) @import
(import_from_statement module_name: (_) @source name: (aliased_import name: (dotted_name) @name alias: (identifier) @alias)) @import
(import_statement name: (dotted_name) @source) @import
(import_statement name: (aliased_import name: (dotted_name) @source alias: (identifier) @alias)) @import

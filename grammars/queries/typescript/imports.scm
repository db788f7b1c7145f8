; @source: the module; @name: a name it exports; @alias: the local name bound to @name or to the module.
; @import: the whole statement, which an edit must touch to change the import.
(import_statement (import_clause (named_imports (import_specifier name: (identifier) @name))) source: (string (string_fragment) @source)) @import
(import_statement (import_clause (named_imports (import_specifier name: (identifier) @name alias: (identifier) @alias))) source: (string (string_fragment) @source)) @import
(import_statement (import_clause (identifier) @alias) source: (string (string_fragment) @source)) @import
(import_statement (import_clause (namespace_import (identifier) @alias)) source: (string (string_fragment) @source)) @import
((variable_declarator
  name: (identifier) @alias
  value: (call_expression function: (identifier) @_require arguments: (arguments (string (string_fragment) @source)))) @import
 (#eq? @_require "require"))
((variable_declarator
  name: (object_pattern (shorthand_property_identifier_pattern) @name)
  value: (call_expression function: (identifier) @_require arguments: (arguments (string (string_fragment) @source)))) @import
 (#eq? @_require "require"))

(require_once_expression (_ (string_content) @source)) @import
(require_expression (_ (string_content) @source)) @import
(include_expression (_ (string_content) @source)) @import
(include_once_expression (_ (string_content) @source)) @import
(namespace_use_clause (qualified_name (name) @name) @source) @import

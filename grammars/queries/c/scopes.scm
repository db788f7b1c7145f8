(function_definition) @scope
(struct_specifier) @scope

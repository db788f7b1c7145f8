(function_definition) @scope
(class_specifier) @scope
(struct_specifier) @scope
(namespace_definition) @scope
(lambda_expression) @scope

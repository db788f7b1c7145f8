(function_declaration) @scope
(generator_function_declaration) @scope
(class_declaration) @scope
(abstract_class_declaration) @scope
(interface_declaration) @scope
(method_definition) @scope
(arrow_function) @scope
(function_expression) @scope

(function_definition) @scope
(class_declaration) @scope
(interface_declaration) @scope
(trait_declaration) @scope
(method_declaration) @scope
(anonymous_function) @scope
(arrow_function) @scope

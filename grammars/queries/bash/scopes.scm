(function_definition) @scope

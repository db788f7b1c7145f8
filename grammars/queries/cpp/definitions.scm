(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition
(function_definition declarator: (function_declarator declarator: (field_identifier) @name)) @definition
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name))) @definition
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name))) @definition
(declaration declarator: (function_declarator declarator: (identifier) @name)) @definition
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @definition
(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition
(type_definition declarator: (type_identifier) @name) @definition
(alias_declaration name: (type_identifier) @name) @definition
(preproc_def name: (identifier) @name) @definition
(preproc_function_def name: (identifier) @name) @definition

(method name: (identifier) @name) @definition
(singleton_method name: (identifier) @name) @definition
(class name: (constant) @name) @definition
(module name: (constant) @name) @definition

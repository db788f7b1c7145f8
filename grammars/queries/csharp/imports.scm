(using_directive (qualified_name) @source)
(using_directive (identifier) @source .)

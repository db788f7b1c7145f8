(using_directive (qualified_name) @source) @import
(using_directive (identifier) @source .) @import

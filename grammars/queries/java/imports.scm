(import_declaration (scoped_identifier name: (identifier) @name) @source) @import

(import_spec name: (package_identifier) @alias path: (interpreted_string_literal (interpreted_string_literal_content) @source))
(import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @source))

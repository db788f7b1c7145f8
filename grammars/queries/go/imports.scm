; @import is the whole declaration, so that an edit of its `import (` line or of the list between specs is seen.
(import_declaration (import_spec name: (package_identifier) @alias path: (interpreted_string_literal (interpreted_string_literal_content) @source))) @import
(import_declaration (import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @source))) @import
(import_declaration (import_spec_list (import_spec name: (package_identifier) @alias path: (interpreted_string_literal (interpreted_string_literal_content) @source)))) @import
(import_declaration (import_spec_list (import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @source)))) @import

(preproc_include path: (string_literal (string_content) @source)) @import

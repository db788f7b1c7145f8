import type { RuleCase } from "../harness";

const inFunction = (body: string): string => `void sample(const char *input, size_t n) {\n  ${body}\n}`;

export const C_CASES: readonly RuleCase[] = [
  {
    rule: "c.unbounded-string-copy",
    positives: [
      inFunction("strcpy(dest, input);"),
      inFunction("strcat(path, input);"),
      inFunction('sprintf(buf, "%s/%d", input, 3);'),
    ],
    negatives: [
      inFunction("strncpy(dest, input, sizeof dest - 1);"),
      inFunction('snprintf(buf, sizeof buf, "%s", input);'),
    ],
  },
  {
    rule: "c.strtok",
    positives: [
      inFunction('char *tok = strtok(line, " ");'),
      inFunction("while ((tok = strtok(NULL, DELIMS)) != NULL) { count++; }"),
    ],
    negatives: [
      inFunction('char *save;\n  char *tok = strtok_r(line, " ", &save);'),
      inFunction('char *tok = strsep(&line, " ");'),
    ],
  },
  {
    rule: "c.gets",
    positives: [inFunction("gets(line);")],
    negatives: [inFunction("fgets(line, sizeof line, stdin);")],
  },
  {
    rule: "c.scanf-unbounded-string",
    positives: [
      inFunction('scanf("%s", name);'),
      inFunction('fscanf(f, "%d %s", &id, name);'),
      inFunction('sscanf(input, "%[^,]", field);'),
    ],
    negatives: [
      inFunction('scanf("%63s", name);'),
      inFunction('scanf("%d", &id);'),
      inFunction('fscanf(f, "%%s %d", &id);'),
    ],
  },
  {
    rule: "c.stack-buffer-unbounded-write",
    positives: [
      inFunction("char buf[64];\n  memcpy(buf, input, n);"),
      inFunction("char name[32];\n  strcpy(name, input);"),
    ],
    negatives: [
      inFunction("char buf[64];\n  memcpy(buf, input, sizeof(buf));"),
      inFunction("char buf[64];\n  memcpy(buf, input, 16);"),
      "static char table[64];\nvoid f(const char *s, size_t n) { memcpy(table, s, n); }",
    ],
  },
  {
    rule: "c.allocation-size-overflow",
    positives: [
      inFunction("int *v = malloc(n * sizeof(int));"),
      inFunction("p = realloc(p, count * size);"),
      inFunction("char *b = alloca(len * 2);"),
      inFunction("item_t *items = pool->alloc(pool, count * sizeof(item_t));"),
    ],
    negatives: [
      inFunction("int *v = calloc(n, sizeof(int));"),
      inFunction("int *v = malloc(16 * sizeof(int));"),
      inFunction("if (n > SIZE_MAX / sizeof(int)) return;\n  int *v = malloc(n * sizeof(int));"),
      inFunction("item_t *items = pool->alloc(pool, 16 * sizeof(item_t));"),
      inFunction("total = pool->count * size;"),
    ],
  },
  {
    rule: "c.weak-random",
    positives: [inFunction("int r = rand();"), inFunction("int r = rand() % 6;")],
    negatives: [inFunction("getrandom(buf, sizeof buf, 0);"), inFunction("int r = arc4random_uniform(6);")],
  },
  {
    rule: "c.fixed-seed",
    positives: [inFunction("srand(1234);")],
    negatives: [inFunction("srand(time(NULL));")],
  },
  {
    rule: "c.tls-verification-off",
    positives: [
      inFunction("curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);"),
      inFunction("curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0);"),
      inFunction("SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);"),
    ],
    negatives: [
      inFunction("curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);"),
      inFunction("curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);"),
      inFunction("SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);"),
    ],
  },
  {
    rule: "c.insecure-temp-file",
    positives: [inFunction("char *name = tmpnam(NULL);"), inFunction("mktemp(template);")],
    negatives: [inFunction("int fd = mkstemp(template);")],
  },
  {
    rule: "c.command-injection",
    positives: [inFunction("system(command);"), inFunction('FILE *p = popen(cmd, "r");')],
    negatives: [inFunction('system("ls -l");'), inFunction('execv("/bin/ls", argv);')],
  },
  {
    rule: "c.weak-hash",
    positives: [
      inFunction("const EVP_MD *md = EVP_md5();"),
      inFunction("SHA1_Init(&ctx);"),
      "const EVP_MD *EVP_md5(void);",
      "int MD4_Init(MD4_CTX *c);",
    ],
    negatives: [
      inFunction("const EVP_MD *md = EVP_sha256();"),
      "const EVP_MD *EVP_sha256(void);",
      "int SHA256_Init(SHA256_CTX *c);",
    ],
  },
  {
    rule: "c.weak-cipher",
    positives: [
      inFunction("EVP_EncryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, key, iv);"),
      inFunction("const EVP_CIPHER *c = EVP_aes_128_ecb();"),
      "const EVP_CIPHER *EVP_des_ecb(void);",
      "void BF_encrypt(BF_LONG *data, const BF_KEY *key);",
    ],
    negatives: [
      inFunction("EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv);"),
      "const EVP_CIPHER *EVP_aes_256_gcm(void);",
    ],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: [inFunction("const EVP_CIPHER *c = EVP_aes_256_cbc();")],
    negatives: [inFunction("const EVP_CIPHER *c = EVP_aes_256_gcm();")],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [inFunction('const char *password = "hunter22";')],
    negatives: [inFunction('const char *password = getenv("PASSWORD");')],
  },
  {
    rule: "secret.token-format",
    positives: [
      inFunction('const char *body = "{\\"access_token\\":\\"ya29.AHES6ZRN3-HlhAPya30GnW_bHSb_\\"}";'),
      inFunction(
        'static const char response[] =\n  "{\\"access_token\\":\\"ya29.AHES6ZRN3-HlhAPya30GnW_bHSb_\\","\n  " \\"expires_in\\":3599}";',
      ),
    ],
    negatives: [inFunction('const char *body = "{\\"access_token\\":\\"\\"}";')],
    stringsAreInScope: true,
  },
];

export const CPP_CASES: readonly RuleCase[] = [
  {
    rule: "c.unbounded-string-copy",
    positives: [inFunction("std::strcpy(dest, input);")],
    negatives: [inFunction("std::string copy(input);")],
  },
  {
    rule: "c.allocation-size-overflow",
    positives: [inFunction("auto *v = new int[width * height];")],
    negatives: [inFunction("auto *v = new int[64];"), inFunction("std::vector<int> v(width * height);")],
  },
  {
    rule: "c.weak-random",
    positives: [inFunction("int r = std::rand();")],
    negatives: [inFunction("std::uniform_int_distribution<int> d(1, 6);")],
  },
  {
    rule: "c.fixed-seed",
    positives: [
      inFunction("auto engine = std::default_random_engine{};"),
      inFunction("std::mt19937 gen;"),
      inFunction("std::mt19937 gen(42);"),
      inFunction("std::mt19937_64 gen{12345};"),
      inFunction("engine.seed(7);"),
    ],
    negatives: [
      inFunction("std::mt19937 gen(std::random_device{}());"),
      inFunction("std::mt19937 gen(seed);"),
      inFunction("engine.seed(rd());"),
    ],
  },
  {
    rule: "cpp.auto-ptr",
    positives: [inFunction("std::auto_ptr<Widget> w(new Widget);")],
    negatives: [inFunction("std::unique_ptr<Widget> w(new Widget);")],
  },
];

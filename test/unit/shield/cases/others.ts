import type { RuleCase } from "../harness";

const goMain = (body: string): string => `package main\n\nfunc run() {\n\t${body}\n}\n`;
const goFile = (imports: string, body: string): string => `package main\n\nimport (\n${imports}\n)\n\n${body}\n`;
const goHandler = (body: string): string =>
  `package main\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n\t${body}\n}\n`;
const rustMain = (body: string): string => `fn run() {\n    ${body}\n}\n`;

export const GO_CASES: readonly RuleCase[] = [
  {
    rule: "go.weak-hash",
    positives: [
      goMain("h := md5.New()"),
      goMain("sum := sha1.Sum(data)"),
      goFile('\tdigest "crypto/md5"', "func f() { h := digest.New() }"),
    ],
    negatives: [
      goMain("h := sha256.New()"),
      // A package of the project's own that happens to be called md5 is not crypto/md5.
      goFile('\tmd5 "example.com/fast/xxhash"', "func f() { h := md5.New() }"),
    ],
  },
  {
    rule: "go.weak-cipher",
    positives: [goMain("block, _ := des.NewCipher(key)"), goMain("c, _ := rc4.NewCipher(key)")],
    negatives: [goMain("block, _ := aes.NewCipher(key)")],
  },
  {
    rule: "go.command-injection",
    positives: [
      goMain('out, _ := exec.Command("sh", "-c", "ls "+dir).Output()'),
      goMain("cmd := exec.Command(program, arg)"),
    ],
    negatives: [
      goMain('out, _ := exec.Command("ls", dir).Output()'),
      goMain('cmd := exec.Command("sh", "-c", "ls -l")'),
    ],
  },
  {
    rule: "go.sql-formatting",
    positives: [
      goMain('rows, _ := db.Query("SELECT * FROM users WHERE name = \'" + name + "\'")'),
      goMain('db.Exec(fmt.Sprintf("DELETE FROM t WHERE id = %d", id))'),
      goMain("q := fmt.Sprintf(\"SELECT * FROM users WHERE name = '%s'\", name)\n\trows, _ := db.Query(q)"),
    ],
    negatives: [
      goMain('rows, _ := db.Query("SELECT * FROM users WHERE name = $1", name)'),
      goMain('rows, _ := db.Query(fmt.Sprintf("SELECT * FROM users"))'),
      goMain('rows, _ := db.Query(fmt.Sprintf("SELECT * FROM users LIMIT %d", 10))'),
    ],
  },
  {
    rule: "go.ssrf",
    positives: [
      goHandler('resp, err := http.Get(r.URL.Query().Get("url"))'),
      goHandler('target := r.FormValue("target")\n\treq, _ := http.NewRequest("GET", "https://"+target+"/x", nil)'),
    ],
    negatives: [
      goHandler('resp, err := http.Get("https://api.example.com/status")'),
      goHandler('resp, err := http.Get(cfg.BaseURL + "/health")'),
    ],
  },
  {
    rule: "go.path-from-input",
    positives: [
      goHandler('name := r.URL.Query().Get("file")\n\tf, _ := os.Open(filepath.Join("/srv/files", name))'),
      goHandler('data, _ := ioutil.ReadFile("/srv/" + r.FormValue("name"))'),
      goHandler('http.ServeFile(w, r, r.FormValue("path"))'),
      goHandler('os.Remove(filepath.Join(uploads, c.Param("id")))'),
    ],
    negatives: [
      goHandler(
        'name := filepath.Base(r.URL.Query().Get("file"))\n\tf, _ := os.Open(filepath.Join("/srv/files", name))',
      ),
      goHandler('f, _ := os.Open("/srv/files/index.html")'),
      goHandler("f, _ := os.Open(filepath.Join(root, entry.Name()))"),
      goFile(
        '\t"net/http"\n\tos "example.com/fakeos"',
        'func h(w http.ResponseWriter, r *http.Request) {\n\tos.Open(r.FormValue("f"))\n}',
      ),
    ],
  },
  {
    rule: "go.open-redirect",
    positives: [
      goHandler('http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound)'),
      goHandler('next := r.FormValue("next")\n\thttp.Redirect(w, r, next, 302)'),
    ],
    negatives: [goHandler('http.Redirect(w, r, "/login", http.StatusFound)')],
  },
  {
    rule: "go.unescaped-output",
    positives: [
      goHandler('w.Write([]byte("<p>Hello " + r.FormValue("name") + "</p>"))'),
      goHandler('fmt.Fprintf(w, "<h1>%s</h1>", r.URL.Query().Get("q"))'),
      goHandler('data := template.HTML(r.FormValue("bio"))'),
    ],
    negatives: [
      goHandler('fmt.Fprintf(w, "<h1>%s</h1>", html.EscapeString(r.URL.Query().Get("q")))'),
      goHandler('w.Write([]byte("ok"))'),
      goHandler('data := template.HTML("<b>fixed</b>")'),
    ],
  },
  {
    rule: "go.cookie-flags",
    positives: [
      goHandler('http.SetCookie(w, &http.Cookie{Name: "session", Value: token})'),
      goHandler('http.SetCookie(w, &http.Cookie{Name: "session", Value: token, HttpOnly: true, Secure: false})'),
    ],
    negatives: [
      goHandler('http.SetCookie(w, &http.Cookie{Name: "session", Value: token, HttpOnly: true, Secure: true})'),
      goHandler('http.SetCookie(w, &http.Cookie{Name: "session", Value: token, HttpOnly: true, Secure: cfg.Secure})'),
    ],
  },
  {
    rule: "go.cors-any-origin-with-credentials",
    positives: [
      goHandler(
        'w.Header().Set("Access-Control-Allow-Origin", "*")\n\tw.Header().Set("Access-Control-Allow-Credentials", "true")',
      ),
      goHandler(
        'w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))\n\tw.Header().Set("Access-Control-Allow-Credentials", "true")',
      ),
      goMain('handler := cors.New(cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true})'),
    ],
    negatives: [
      goHandler('w.Header().Set("Access-Control-Allow-Origin", "*")'),
      goHandler(
        'w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")\n\tw.Header().Set("Access-Control-Allow-Credentials", "true")',
      ),
      goMain(
        'handler := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}, AllowCredentials: true})',
      ),
    ],
  },
  {
    rule: "go.debug-enabled",
    positives: [
      goFile('\t"net/http"\n\t_ "net/http/pprof"', "func main() { http.ListenAndServe(addr, nil) }"),
      goFile('\t"github.com/gin-gonic/gin"', "func main() { gin.SetMode(gin.DebugMode) }"),
    ],
    negatives: [
      goFile('\t"net/http"', "func main() { http.ListenAndServe(addr, nil) }"),
      goFile('\t"github.com/gin-gonic/gin"', "func main() { gin.SetMode(gin.ReleaseMode) }"),
    ],
  },
  {
    rule: "go.fixed-seed",
    positives: [
      goFile(
        '\t"math/rand"',
        "func newToken() string {\n\trand.Seed(42)\n\ttoken := rand.Int63()\n\treturn fmt.Sprint(token)\n}",
      ),
      goFile(
        '\tmrand "math/rand"',
        "func salt() {\n\tgen := mrand.New(mrand.NewSource(7))\n\tsalt := gen.Int63()\n\tuse(salt)\n}",
      ),
    ],
    negatives: [
      goFile('\t"math/rand"', "func shuffle() {\n\trand.Seed(42)\n\tn := rand.Intn(10)\n\tuse(n)\n}"),
      goFile(
        '\t"math/rand"',
        "func newToken() {\n\trand.Seed(time.Now().UnixNano())\n\ttoken := rand.Int63()\n\tuse(token)\n}",
      ),
    ],
  },
  {
    rule: "go.tls-verification-off",
    positives: [goMain("cfg := &tls.Config{InsecureSkipVerify: true}"), goMain("cfg.InsecureSkipVerify = true")],
    negatives: [
      goMain("cfg := &tls.Config{InsecureSkipVerify: false}"),
      goMain("cfg := &tls.Config{MinVersion: tls.VersionTLS12}"),
    ],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [goMain('password := "hunter22"')],
    negatives: [goMain('password := os.Getenv("PASSWORD")')],
  },
];

export const RUST_CASES: readonly RuleCase[] = [
  {
    rule: "rust.weak-hash",
    positives: [
      rustMain("let mut h = Md5::new();"),
      rustMain("let mut h = sha1::Sha1::new();"),
      rustMain("let d = md5::compute(data);"),
    ],
    negatives: [rustMain("let mut h = Sha256::new();")],
  },
  {
    rule: "rust.tls-verification-off",
    positives: [
      rustMain("let c = Client::builder().danger_accept_invalid_certs(true).build()?;"),
      rustMain("builder.danger_accept_invalid_hostnames(insecure);"),
      rustMain("builder.set_verify(SslVerifyMode::NONE);"),
      rustMain("builder.set_verify_callback(SslVerifyMode::NONE, |_, _| true);"),
    ],
    negatives: [
      rustMain("let c = Client::builder().danger_accept_invalid_certs(false).build()?;"),
      rustMain("builder.set_verify(SslVerifyMode::PEER);"),
    ],
  },
  {
    rule: "rust.tls-custom-verifier",
    positives: [rustMain("config.dangerous().set_certificate_verifier(Arc::new(NoVerifier));")],
    negatives: [rustMain("let config = ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();")],
  },
  {
    rule: "rust.fixed-seed",
    positives: [
      rustMain("let mut rng = StdRng::seed_from_u64(42);\n    let session_token: u64 = rng.gen();"),
      rustMain("let mut key_rng = ChaCha20Rng::from_seed([0u8; 32]);"),
    ],
    negatives: [
      rustMain("let mut rng = StdRng::seed_from_u64(42);\n    let index = rng.gen_range(0..10);"),
      rustMain("let mut rng = StdRng::from_entropy();\n    let session_token: u64 = rng.gen();"),
    ],
  },
  {
    rule: "rust.command-injection",
    positives: [
      rustMain("let out = Command::new(program).arg(x).output()?;"),
      rustMain("let out = process::Command::new(&tool).output()?;"),
    ],
    negatives: [rustMain('let out = Command::new("ls").arg(dir).output()?;')],
  },
  {
    rule: "rust.sql-formatting",
    positives: [
      rustMain("let rows = sql_query(format!(\"SELECT * FROM users WHERE name = '{}'\", name)).load(conn)?;"),
      rustMain("let rows = sql_query(format!(\"SELECT * FROM users WHERE name = '{name}'\")).load(conn)?;"),
    ],
    negatives: [
      rustMain('let rows = sqlx::query("SELECT * FROM users WHERE name = $1").bind(name);'),
      rustMain('let msg = format!("SELECT {}", x);'),
      rustMain('let rows = sql_query(format!("SELECT * FROM users")).load(conn)?;'),
    ],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [rustMain('let password = "hunter22";')],
    negatives: [rustMain('let password = env::var("PASSWORD")?;')],
  },
];

export const RUBY_CASES: readonly RuleCase[] = [
  {
    rule: "ruby.command-injection",
    positives: ['system("tar -xf #{path}")', "output = `ls #{dir}`", "Open3.capture2(cmd)"],
    negatives: [
      'system("tar", "-xf", path)',
      'system("ls -l")',
      "output = `ls -l`",
      "system(*argv)",
      "output = `ls #{dir.shellescape}`",
    ],
  },
  {
    rule: "ruby.eval",
    positives: [
      "eval(params[:code])",
      'obj.instance_eval("@#{name}")',
      "src = gets\neval(src)",
      'eval("x = " + value)',
    ],
    negatives: [
      'eval("1 + 1")',
      "obj.instance_eval { @name }",
      "obj.instance_eval(&block)",
      "eval(code)",
      "class_eval <<-RUBY, __FILE__, __LINE__ + 1\n  def #{name}; @#{name}; end\nRUBY",
      'class_eval "def #{name}; @#{name}; end"',
      "binding.eval(expression)",
    ],
  },
  {
    rule: "ruby.unsafe-deserialization",
    positives: [
      "obj = Marshal.load(Base64.decode64(cookies[:cart]))",
      "cfg = YAML.load(params[:config])",
      "data = request.body.read\nobj = Marshal.load(data)",
      "cfg = YAML.unsafe_load(text)",
      "cfg = YAML.load(params[:config], safe: false)",
    ],
    negatives: [
      // A safe: setting held in a variable or read from settings is the application's policy.
      "cfg = YAML.load(params[:config], safe: safe_mode)",
      "cfg = YAML.load(params[:config], :safe => Settings.yaml_safe)",
      "cfg = YAML.safe_load(text)",
      "obj = JSON.parse(data)",
      "copy = Marshal.load(Marshal.dump(defaults))",
      "cfg = YAML.load(params[:config], safe: true)",
      "opts = { safe: true }\ncfg = YAML.load(params[:config], **opts)",
      "cfg = YAML.load(params[:config], permitted_classes: [Symbol])",
    ],
  },
  {
    rule: "ruby.weak-hash",
    positives: [
      "password_digest = Digest::MD5.hexdigest(s)",
      "auth_token = OpenSSL::Digest::SHA1.hexdigest(seed)",
      "h = Digest::MD5.hexdigest(password)",
    ],
    negatives: ["h = Digest::SHA256.hexdigest(password)", "cache_key = Digest::MD5.hexdigest(url)"],
  },
  {
    rule: "ruby.tls-verification-off",
    positives: ["http.verify_mode = OpenSSL::SSL::VERIFY_NONE", "opts = { verify_mode: OpenSSL::SSL::VERIFY_NONE }"],
    negatives: [
      "http.verify_mode = OpenSSL::SSL::VERIFY_PEER",
      "warn 'insecure' if ctx.verify_mode == OpenSSL::SSL::VERIFY_NONE",
    ],
  },
  {
    rule: "ruby.csrf-disabled",
    positives: ["skip_before_action :verify_authenticity_token"],
    negatives: ["before_action :authenticate_user!"],
  },
  {
    rule: "ruby.sql-interpolation",
    positives: ["User.where(\"name = '#{name}'\")", 'conn.execute("DELETE FROM t WHERE id = #{id}")'],
    negatives: ['User.where("name = ?", name)', "User.where(name: name)"],
  },
  {
    rule: "secret.hardcoded-password",
    positives: ["password = 'hunter22'", "config = { api_key: 'abcd1234efgh5678' }"],
    negatives: ["password = ENV['PASSWORD']"],
  },
];

export const SHELL_CASES: readonly RuleCase[] = [
  {
    rule: "shell.eval",
    positives: ['eval "$cmd"', "eval $(ssh-agent -s)"],
    negatives: ["eval 'echo hi'", '"${cmd[@]}"'],
  },
  {
    rule: "shell.tls-verification-off",
    positives: ["curl -k https://example.com/install.sh", "wget --no-check-certificate https://example.com/f"],
    negatives: ["curl -fsSL https://example.com/install.sh", "wget https://example.com/f"],
  },
  {
    rule: "shell.download-to-shell",
    positives: ["curl -fsSL https://example.com/install.sh | bash"],
    negatives: ["curl -fsSL https://example.com/install.sh -o install.sh"],
  },
  {
    rule: "shell.world-writable",
    positives: ["chmod 777 /srv/app", "chmod -R o+w /srv/app"],
    negatives: ["chmod 755 /srv/app", "chmod u+x run.sh"],
  },
  {
    rule: "secret.hardcoded-password",
    positives: ["DB_PASSWORD='hunter22'"],
    negatives: ['DB_PASSWORD="$(cat /run/secrets/db)"'],
  },
];

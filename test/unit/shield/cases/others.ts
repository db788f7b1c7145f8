import type { RuleCase } from "../harness";

const goMain = (body: string): string => `package main\n\nfunc run() {\n\t${body}\n}\n`;
const rustMain = (body: string): string => `fn run() {\n    ${body}\n}\n`;

export const GO_CASES: readonly RuleCase[] = [
  {
    rule: "go.weak-hash",
    positives: [goMain("h := md5.New()"), goMain("sum := sha1.Sum(data)")],
    negatives: [goMain("h := sha256.New()")],
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
    ],
    negatives: [goMain('rows, _ := db.Query("SELECT * FROM users WHERE name = $1", name)')],
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
    ],
    negatives: [rustMain("let c = Client::builder().danger_accept_invalid_certs(false).build()?;")],
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
    ],
    negatives: [
      rustMain('let rows = sqlx::query("SELECT * FROM users WHERE name = $1").bind(name);'),
      rustMain('let msg = format!("SELECT {}", x);'),
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
    ],
    negatives: [
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

import type { RuleCase } from "../harness";

export const PYTHON_CASES: readonly RuleCase[] = [
  {
    rule: "python.weak-hash",
    positives: ["digest = hashlib.md5(data).hexdigest()", "h = hashlib.sha1()", "h = hashlib.new('md5')", "h = MD5.new()", "if algorithm == 'sha256':\n    h = hashlib.md5(data)"],
    negatives: [
      "digest = hashlib.md5(data, usedforsecurity=False).hexdigest()",
      "h = hashlib.sha256(data)",
      "h = hashlib.new('sha256')",
      "def impl(algorithm):\n    if algorithm == 'MD5':\n        H = lambda x: hashlib.md5(x).hexdigest()\n    elif algorithm == 'SHA':\n        H = lambda x: hashlib.sha1(x).hexdigest()\n    return H",
    ],
  },
  {
    rule: "python.eval",
    positives: [
      "result = eval(request.GET['expr'])",
      "exec('x = %s' % value)",
      "exec(compile(open(path).read(), path, 'exec'), scope)",
      "def run(arg):\n    expr = 'f({})'.format(arg)\n    return eval(expr)",
      "value = eval(input('> '))",
      "parts = line.split('-')\nsize = eval(parts[1])",
      "debug = eval(os.getenv('APP_DEBUG', 'False'))",
      "f = open(settings_path)\nexec(f)",
      "model = eval(config.model_name)(num_classes=10)",
    ],
    negatives: [
      "result = eval('1 + 2')",
      "value = ast.literal_eval(text)",
      "exec('import os')",
      "exec(code, namespace)",
      "size = ast.literal_eval(parts[1])",
      "value = eval(('1 + 2', '3')[0])",
      "model = getattr(models, config.model_name)(num_classes=10)",
      "def make_getter(name):\n    exec('def %s(self):\\n    return self._%s' % (name, name), namespace)",
      "TEMPLATE = '''def %(name)s(self):\n    return self._%(name)s\n'''\ndef make_getter(name):\n    exec(TEMPLATE % {'name': name}, namespace)",
    ],
  },
  {
    rule: "python.os-command",
    positives: [
      "os.system('rm -rf ' + path)",
      "out = os.popen('ls %s' % folder).read()",
      "os.system(cmd)",
      "def view(name):\n    cmd = 'less ' + name\n    os.system(cmd)",
      "def view(template, name):\n    os.system(template % name)",
      "def view(name):\n    command, flags = find_viewer(name)\n    os.system('%s %s' % (command, name))",
    ],
    negatives: [
      "os.system('ls -l')",
      "out = os.popen('uname -a').read()",
      "subprocess.run(['rm', '-rf', path])",
      "def run(cmd):\n    return os.system(cmd)",
      "def open_pipe(self, name):\n    cmd = self.make_pipeline(name)\n    return os.popen(cmd, 'r')",
      "def view(name):\n    command, flags = find_viewer(name)\n    os.system(command)",
      "def show(name):\n    os.system('less %s' % shlex.quote(name))",
      "def show(command, name):\n    command = command % shlex.quote(name)\n    os.popen(command, 'r')",
    ],
  },
  {
    rule: "python.subprocess-shell",
    positives: ["subprocess.call(cmd, shell=True)", "subprocess.check_output('gzip %s' % name, shell=True)", "subprocess.Popen(f'ls {path}', shell=True)"],
    negatives: [
      "subprocess.call('ls -l', shell=True)",
      "subprocess.call(['ls', path])",
      "subprocess.call(cmd, shell=False)",
      "subprocess.run(['ls', '-l'], shell=True)",
      "def getoutput(cmd):\n    return subprocess.check_output(cmd, shell=True)",
    ],
  },
  {
    rule: "python.sql-formatting",
    positives: [
      "cursor.execute('SELECT * FROM users WHERE id = %s' % user_id)",
      "cursor.execute(\"DELETE FROM t WHERE name = '{}'\".format(name))",
      "cursor.execute(f\"SELECT * FROM {table}\")",
      "db.execute('SELECT * FROM users WHERE name = ' + name)",
    ],
    negatives: ["cursor.execute('SELECT * FROM users WHERE id = %s', (user_id,))", "cursor.execute('SHOW TABLES')", "runner.execute('echo %s' % name)"],
  },
  {
    rule: "python.unsafe-deserialization",
    positives: ["obj = pickle.loads(payload)", "data = pickle.load(f)", "cfg = yaml.load(stream)", "db = shelve.open(path)", "obj = jsonpickle.decode(text)"],
    negatives: ["copy = pickle.loads(pickle.dumps(obj))", "cfg = yaml.load(stream, Loader=yaml.SafeLoader)", "cfg = yaml.safe_load(stream)", "data = json.loads(payload)"],
  },
  {
    rule: "python.weak-random",
    positives: ["token = ''.join(random.choice(chars) for _ in range(32))", "session_id = random.getrandbits(64)", "def make_password():\n    return random.randint(0, 10**8)", "code = ''.join(random.sample(string.ascii_uppercase * 6, 6))", "def random_string(length, chars=ascii_letters + string.digits):\n    return ''.join(random.choice(chars) for _ in range(length))"],
    negatives: ["delay = random.uniform(0.5, 1.5)", "token = secrets.token_hex(16)", "random.shuffle(cards)", "card = random.choice(deck)", "name = ''.join(secrets.choice(string.ascii_letters) for _ in range(8))"],
  },
  {
    rule: "python.fixed-seed",
    positives: ["random.seed(42)", "random.seed(SEED)"],
    negatives: ["random.seed()", "random.seed(os.urandom(16))", "random.seed(seed)"],
  },
  {
    rule: "python.tls-verification-off",
    positives: [
      "requests.get(url, verify=False)",
      "ctx = ssl._create_unverified_context()",
      "ctx.check_hostname = False",
      "ctx.verify_mode = ssl.CERT_NONE",
      "if not verify:\n    ctx.check_hostname = False",
    ],
    negatives: [
      "requests.get(url, verify=True)",
      "requests.get(url, verify='/etc/ca.pem')",
      "ctx = ssl.create_default_context()",
      "if not server_hostname:\n    ctx.check_hostname = False",
      "if hostname is None:\n    ctx.check_hostname = False",
    ],
  },
  {
    rule: "python.insecure-temp-file",
    positives: ["name = tempfile.mktemp()", "name = tempfile.mktemp(prefix='upload-', dir=root)"],
    negatives: ["fd, name = tempfile.mkstemp()", "f = tempfile.NamedTemporaryFile()", "address = tempfile.mktemp(prefix=r'\\\\.\\pipe\\app-')"],
  },
  {
    rule: "python.weak-cipher",
    positives: ["cipher = DES.new(key, DES.MODE_CBC, iv)", "cipher = AES.new(key, AES.MODE_ECB)", "c = Cipher(algorithms.TripleDES(key), modes.CBC(iv))"],
    negatives: ["cipher = AES.new(key, AES.MODE_GCM)", "c = Cipher(algorithms.AES(key), modes.GCM(iv))"],
  },
  {
    rule: "python.static-iv",
    positives: ["cipher = AES.new(key, AES.MODE_CBC, b'0000000000000000')", "mode = modes.CBC(b'\\x00' * 16)"],
    negatives: ["cipher = AES.new(key, AES.MODE_CBC, iv)", "mode = modes.CBC(os.urandom(16))", "mac = hmac.new(b'key', msg, 'sha256')"],
  },
  {
    rule: "python.csrf-disabled",
    positives: ["@csrf_exempt\ndef view(request):\n    pass", "WTF_CSRF_ENABLED = False"],
    negatives: ["@login_required\ndef view(request):\n    pass", "WTF_CSRF_ENABLED = True"],
  },
  {
    rule: "python.cookie-flags",
    positives: ["resp.set_cookie('session', sid)", "resp.set_cookie('session', sid, secure=True)", "SESSION_COOKIE_SECURE = False"],
    negatives: ["resp.set_cookie('session', sid, secure=True, httponly=True)", "SESSION_COOKIE_SECURE = True"],
  },
  {
    rule: "python.xxe",
    positives: ["parser = etree.XMLParser(resolve_entities=True)", "parser.setFeature(feature_external_ges, True)"],
    negatives: ["parser = etree.XMLParser(resolve_entities=False)", "parser.setFeature(feature_external_ges, False)"],
  },
  {
    rule: "secret.hardcoded-password",
    positives: ["password = 'hunter22'", "config['db_password'] = 's3cr3t!'", "connect(host, password='letmein9')", "settings = {'api_key': 'abcd1234efgh'}"],
    negatives: ["password = os.environ['PASSWORD']", "password = ''", "password_template = 'auth/password_reset.html'", "password_field = 'password'", "PASSWORD_CHANGED = 'passwordChanged'"],
  },
  {
    rule: "secret.token-format",
    positives: ["key = 'AKIAZ7Q4XJ2M5NWKT3PB'", "API = 'AIzaSyBz7r2Kz6x7wO1zV9_O5Rcxmt8NahJ6kos'", "PEM = '''\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n'''"],
    negatives: ["def f():\n    \"\"\"Pass a key like AKIAZ7Q4XJ2M5NWKT3PB.\"\"\"", "key = os.environ['AWS_ACCESS_KEY_ID']", "key = 'AKIAIOSFODNN7EXAMPLE'"],
    stringsAreInScope: true,
  },
];

import type { RuleCase } from "../harness";

const php = (code: string) => `<?php\n${code}`;

/** Flask and Django, and the import aliases the Python rules resolve. */
export const PYTHON_WEB_CASES: readonly RuleCase[] = [
  {
    rule: "web.ssrf",
    positives: [
      "def fetch():\n    url = request.args.get('url')\n    return requests.get(url).text",
      "from urllib.request import urlopen\ndef proxy():\n    return urlopen(request.GET['target']).read()",
      "import httpx as hx\ndef proxy():\n    hx.post(request.form['hook'], json={})",
    ],
    negatives: [
      "requests.get('https://api.example.com/status')",
      "def fetch(url):\n    return requests.get(url)",
      "def fetch():\n    session.get(request.args['url'])",
    ],
  },
  {
    rule: "web.open-redirect",
    positives: [
      "def login():\n    return redirect(request.args.get('next'))",
      "def login(request):\n    target = request.GET['next']\n    return HttpResponseRedirect(target)",
    ],
    negatives: ["def login():\n    return redirect(url_for('index'))", "def login():\n    return redirect('/home')"],
  },
  {
    rule: "web.path-from-input",
    positives: [
      "def download():\n    return send_file(request.args['file'])",
      "def read():\n    name = request.args['name']\n    with open(os.path.join(BASE, name)) as f:\n        return f.read()",
    ],
    negatives: [
      "def download():\n    return send_file(os.path.join(BASE, secure_filename(request.args['file'])))",
      "def read(name):\n    return open(name).read()",
    ],
  },
  {
    rule: "web.unescaped-output",
    positives: [
      "def hello():\n    return Markup('<b>' + request.args['name'] + '</b>')",
      "from django.utils.safestring import mark_safe as safe\ndef bio(request):\n    return safe(f'<p>{request.POST[\"bio\"]}</p>')",
      "def hello():\n    name = request.args.get('name')\n    return '<h1>Hello ' + name + '</h1>'",
    ],
    negatives: [
      "def hello():\n    return Markup('<b>hello</b>')",
      "def hello():\n    return render_template('hello.html', name=request.args['name'])",
      "def hello():\n    return 'Hello ' + escape(request.args['name'])",
    ],
  },
  {
    rule: "web.template-injection",
    positives: ["def page():\n    return render_template_string(request.form['tpl'])"],
    negatives: ["def page():\n    return render_template_string('<p>{{ name }}</p>', name=request.form['name'])"],
  },
  {
    rule: "web.debug-mode",
    positives: [
      "app.run(host='0.0.0.0', debug=True)",
      "DEBUG = True",
      "app.config['DEBUG'] = True",
      "app.debug = True",
    ],
    negatives: [
      "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')",
      "DEBUG = False",
      "def main():\n    DEBUG = True\n    return DEBUG",
    ],
  },
  {
    rule: "web.cors-any-origin-with-credentials",
    positives: [
      "CORS(app, supports_credentials=True)",
      "CORS(app, origins='*', supports_credentials=True)",
      "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True",
    ],
    negatives: [
      "CORS(app, origins=['https://app.example.com'], supports_credentials=True)",
      "CORS(app)",
      "CORS_ALLOW_ALL_ORIGINS = True",
    ],
  },
  {
    rule: "python.cookie-flags",
    positives: [
      "resp.set_cookie('sid', sid)",
      "resp.set_cookie('sid', sid, secure=True, httponly=False)",
      "resp.set_cookie('sid', sid, secure=True)",
    ],
    negatives: [
      "resp.set_cookie('sid', sid, secure=True, httponly=True)",
      "resp.set_cookie('sid', sid, **settings.COOKIE_FLAGS)",
      "resp.set_cookie('sid', sid, secure=settings.SESSION_COOKIE_SECURE, httponly=settings.SESSION_COOKIE_HTTPONLY)",
    ],
  },
  {
    rule: "python.weak-hash",
    positives: ["import hashlib as h\ndigest = h.md5(data).hexdigest()", "from hashlib import sha1\nsig = sha1(data)"],
    negatives: ["import hashlib as h\ndigest = h.sha256(data).hexdigest()", "from mylib import md5\nmd5(data)"],
  },
  {
    rule: "python.weak-cipher",
    positives: ["from Crypto.Cipher import DES as D\nc = D.new(key, D.MODE_CBC, iv)"],
    negatives: ["from Crypto.Cipher import AES as A\nc = A.new(key, A.MODE_GCM)", "from shapes import DES\nDES.new()"],
  },
  {
    rule: "python.unsafe-deserialization",
    positives: ["import pickle as pk\nobj = pk.loads(payload)", "from pickle import loads\nobj = loads(payload)"],
    negatives: [
      "import json as pk\nobj = pk.loads(payload)",
      "import yaml\ncfg = yaml.load(text, Loader=yaml.SafeLoader)",
      "import yaml\nloader = yaml.SafeLoader\ncfg = yaml.load(text, Loader=loader)",
      "import yaml\ncfg = yaml.load(text, **LOAD_OPTIONS)",
    ],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: [
      "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_CBC, iv)",
      "from cryptography.hazmat.primitives.ciphers import modes\nc = Cipher(algorithms.AES(key), modes.CBC(iv))",
    ],
    negatives: [
      "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)",
      "c = Cipher(algorithms.AES(key), modes.GCM(iv))",
    ],
  },
  {
    rule: "python.sql-formatting",
    positives: ["cursor.execute('SELECT * FROM t WHERE id = {}'.format(user_id))"],
    negatives: [
      "cursor.execute('SELECT * FROM t'.format())",
      "cursor.execute('SELECT * FROM {}'.format('users'))",
      "ident = name.replace('\"', '\"\"')\ncursor.execute('PRAGMA table_info(\"{0}\")'.format(ident))",
    ],
  },
  {
    // A snippet that begins inside one multi-line string and holds a key in the next: the parse is inside out.
    rule: "secret.token-format",
    stringsAreInScope: true,
    positives: [
      'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n-----END CERTIFICATE-----\n"""\n\ndef private_key():\n    return """\n-----BEGIN PRIVATE KEY-----\nTUlJQ2RnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NBbUF3Z2dKY0FnRUFBb0dC\n-----END PRIVATE KEY-----\n"""',
    ],
    negatives: ["# -----BEGIN PRIVATE KEY-----\n# TUlJQ2RnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NBbUF3Z2dKY0FnRUFBb0dC"],
  },
  {
    rule: "python.eval",
    positives: ["value = eval(request.args['expr'])", "exec('result = %s' % expression)"],
    negatives: ["if flag in ('True', 'False'):\n    value = eval(flag)"],
  },
];

/** Express, and the import forms (destructured require, ES imports) the JavaScript rules resolve. */
export const JAVASCRIPT_WEB_CASES: readonly RuleCase[] = [
  {
    rule: "web.ssrf",
    positives: [
      "app.get('/p', async (req, res) => { const r = await axios.get(req.query.url); res.json(r.data); });",
      "const got = require('got');\nfunction proxy(req) { return got(req.body.target); }",
      "function proxy(req) { const url = req.query.u; return fetch(url); }",
    ],
    negatives: [
      "const r = await axios.get('https://api.example.com/status');",
      "function proxy(url) { return fetch(url); }",
    ],
  },
  {
    rule: "web.open-redirect",
    positives: [
      "app.get('/login', (req, res) => res.redirect(req.query.next));",
      "function go(req, res) { const to = req.query.to; res.redirect(302, to); }",
    ],
    negatives: ["app.get('/login', (req, res) => res.redirect('/home'));"],
  },
  {
    rule: "web.path-from-input",
    positives: [
      "const fs = require('fs');\napp.get('/f', (req, res) => fs.readFile(path.join(__dirname, req.params.name), (e, d) => res.send(d)));",
      "const { createReadStream } = require('node:fs');\nfunction f(req, res) { createReadStream(req.query.file).pipe(res); }",
      "app.get('/f', (req, res) => res.sendFile(req.params.name));",
      "const fs = require('fs');\nServlet.prototype.sendFile_ = function (req, res, filePath) {\n  fs.createReadStream(filePath).pipe(res);\n};",
    ],
    negatives: [
      "app.get('/f', (req, res) => res.sendFile(req.params.name, { root: 'public' }));",
      "const fs = require('fs');\nfunction f(req) { return fs.readFileSync(path.join(DIR, path.basename(req.query.file))); }",
      "const fs = require('fs');\nfunction load(file) { return fs.readFileSync(file); }",
    ],
  },
  {
    rule: "web.unescaped-output",
    positives: [
      "app.get('/', (req, res) => res.send('<p>Hello ' + req.query.name + '</p>'));",
      "app.get('/', (req, res) => { res.write(`<h1>${req.params.title}</h1>`); res.end(); });",
      "app.get('/', (req, res) => res.send(req.query.q));",
    ],
    negatives: [
      "app.post('/echo', (req, res) => res.send(req.body));",
      "app.get('/', (req, res) => res.send('<p>Hello ' + escapeHtml(req.query.name) + '</p>'));",
      "app.get('/', (req, res) => res.render('hello', { name: req.query.name }));",
    ],
  },
  {
    rule: "web.debug-mode",
    positives: ["app.use(express.errorHandler({ dumpExceptions: true, showStack: true }));"],
    negatives: ["app.use(express.errorHandler({ dumpExceptions: false, showStack: false }));"],
  },
  {
    rule: "web.cors-any-origin-with-credentials",
    positives: [
      "app.use(cors({ origin: '*', credentials: true }));",
      "app.use(cors({ origin: true, credentials: true }));",
    ],
    negatives: [
      "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));",
      "app.use(cors({ origin: '*' }));",
    ],
  },
  {
    rule: "js.csrf-disabled",
    positives: ["app.use(lusca({ csrf: false, xframe: 'SAMEORIGIN' }));"],
    negatives: ["app.use(lusca({ csrf: true, xframe: 'SAMEORIGIN' }));"],
  },
  {
    rule: "js.cookie-flags",
    positives: ["res.cookie('sid', token);", "res.cookie('sid', token, { httpOnly: true });"],
    negatives: [
      "res.cookie('sid', token, { secure: true, httpOnly: true, sameSite: 'lax' });",
      "res.cookie('sid', token, cookieOptions);",
      "res.cookie('sid', token, { ...config.cookie, maxAge: 1000 });",
    ],
  },
  {
    rule: "js.child-process",
    positives: [
      "const { exec } = require('child_process');\nexec('git log ' + branch);",
      "import * as cp from 'node:child_process';\ncp.execSync(`rm -rf ${dir}`);",
    ],
    negatives: ["const { execFile } = require('child_process');\nexecFile('git', ['log', branch]);"],
  },
  {
    rule: "js.child-process",
    positives: ["const { exec: run } = require('child_process');\nrun(`convert ${file} out.png`);"],
    negatives: ["const { exec: run } = require('child_process');\nrun('make all');", "run('ls ' + dir);"],
  },
  {
    rule: "js.weak-random",
    positives: [
      "var callback = '__jsonp_' + Math.ceil(Math.random() * 10000);",
      "const suffix = Math.random().toString(36).slice(2);",
      "const n = Math.floor(Math.random() * 99999999999);",
      "const u = 'xxxxxxxx-xxxx-4xxx'.replace(/x/g, () => ((Math.random() * 16) | 0).toString(16));",
      "const requestId = Math.random();",
      "this.radius = Math.random() * config.star.width;",
      "if (Math.random() < 0.2) retry();",
    ],
    negatives: ["const jitter = base + Math.random() * spread;", "setTimeout(poll, interval * Math.random());"],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: ["const c = crypto.createCipheriv('aes-256-cbc', key, iv);"],
    negatives: ["const c = crypto.createCipheriv('aes-256-gcm', key, iv);"],
  },
];

/** Rails. */
export const RUBY_WEB_CASES: readonly RuleCase[] = [
  {
    rule: "web.ssrf",
    positives: ["def show\n  url = params[:url]\n  body = Net::HTTP.get(URI(url))\nend", "HTTParty.get(params[:hook])"],
    negatives: ["Net::HTTP.get(URI('https://api.example.com'))", "def fetch(url)\n  HTTParty.get(url)\nend"],
  },
  {
    rule: "web.open-redirect",
    positives: ["redirect_to params[:return_to]", "def back\n  to = params[:to]\n  redirect_to to\nend"],
    negatives: ["redirect_to root_path", "redirect_to params[:return_to], allow_other_host: false"],
  },
  {
    rule: "web.path-from-input",
    positives: ["send_file params[:path]", "data = File.read(File.join(BASE, params[:name]))"],
    negatives: ["send_file File.join(BASE, File.basename(params[:name]))", "data = File.read(path)"],
  },
  {
    rule: "web.unescaped-output",
    positives: ['@bio = "<p>#{params[:bio]}</p>".html_safe', "raw(params[:comment])"],
    negatives: ['"<br>".html_safe', "raw(t('footer'))", "sanitize(params[:comment])"],
  },
  {
    rule: "web.template-injection",
    positives: ["render inline: params[:template]"],
    negatives: ["render inline: '<p><%= name %></p>', locals: { name: params[:name] }"],
  },
  {
    rule: "web.debug-mode",
    positives: ["Rails.application.configure do\n  config.consider_all_requests_local = true\nend"],
    negatives: ["Rails.application.configure do\n  config.consider_all_requests_local = false\nend"],
  },
  {
    rule: "web.cors-any-origin-with-credentials",
    positives: ["allow do\n  origins '*'\n  resource '*', headers: :any, credentials: true\nend"],
    negatives: ["allow do\n  origins 'app.example.com'\n  resource '*', headers: :any, credentials: true\nend"],
  },
  {
    rule: "ruby.unsafe-reflection",
    positives: [
      "obj = params[:type].constantize.new",
      "klass = Object.const_get(params[:klass])",
      "result = send(params[:method])",
      "action = params[:do]\nrecord.public_send(action)",
    ],
    negatives: [
      "obj = 'User'.constantize.new",
      "result = send(:update, params[:user])",
      "klass = { 'user' => User }.fetch(params[:type])",
      "response = @socket.send(request.to_s, 0)",
    ],
  },
  {
    rule: "ruby.cookie-flags",
    positives: [
      "cookies[:sid] = { value: sid }",
      "cookies[:sid] = { value: sid, secure: true }",
      "cookies[:sid] = { value: sid, secure: false, httponly: true }",
    ],
    negatives: [
      // Flags read from a settings object are the application's policy.
      "cookies[:sid] = { value: sid, secure: Rails.configuration.secure_cookies, httponly: true }",
      "cookies[:sid] = { :value => sid, :secure => settings.secure?, :httponly => true }",
      "cookies[:sid] = { value: sid, secure: true, httponly: true }",
      "cookies[:sid] = { value: sid, **COOKIE_OPTIONS }",
    ],
  },
  {
    rule: "ruby.csrf-disabled",
    positives: [
      "class ApiController < ApplicationController\n  skip_forgery_protection\nend",
      "Rails.application.configure do\n  config.action_controller.allow_forgery_protection = false\nend",
    ],
    negatives: ["class ApplicationController < ActionController::Base\n  protect_from_forgery with: :exception\nend"],
  },
  {
    rule: "ruby.sql-interpolation",
    positives: ['User.where("name = \'" + params[:name] + "\'")'],
    negatives: ["User.where('name = ?', params[:name])", "User.where('active = ' + 'true')"],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: ["cipher = OpenSSL::Cipher.new('aes-256-cbc')"],
    negatives: ["cipher = OpenSSL::Cipher.new('aes-256-gcm')"],
  },
];

export const PHP_WEB_CASES: readonly RuleCase[] = [
  {
    rule: "web.ssrf",
    positives: [php("$ch = curl_init($_GET['url']);"), php("curl_setopt($ch, CURLOPT_URL, $_POST['hook']);")],
    negatives: [
      php("$ch = curl_init('https://api.example.com');"),
      php("curl_setopt($ch, CURLOPT_TIMEOUT, $_GET['t']);"),
    ],
  },
  {
    rule: "web.path-from-input",
    positives: [php("include $_GET['page'] . '.php';"), php("$page = $_GET['p'];\nreadfile('docs/' . $page);")],
    negatives: [php("readfile('docs/' . basename($_GET['p']));"), php("include 'header.php';")],
  },
  {
    rule: "web.unescaped-output",
    positives: [php("echo 'Hello ' . $_GET['name'];"), php("echo \"<p>{$_POST['bio']}</p>\";")],
    negatives: [
      php("echo 'Hello ' . htmlspecialchars($_GET['name']);"),
      php("echo $this->template->render('page', ['q' => $q]);"),
    ],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: [php("$c = openssl_encrypt($data, 'aes-256-cbc', $key, 0, $iv);")],
    negatives: [php("$c = openssl_encrypt($data, 'aes-256-gcm', $key, 0, $iv, $tag);")],
  },
];

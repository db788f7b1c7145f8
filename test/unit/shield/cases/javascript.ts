import type { RuleCase } from "../harness";

export const JAVASCRIPT_CASES: readonly RuleCase[] = [
  {
    rule: "js.eval",
    positives: [
      "const value = eval('(' + text + ')');",
      "const f = new Function('a', 'return a.' + field);",
      "setTimeout('update(' + id + ')', 100);",
      "eval(code);",
      "function run(req) { const body = req.body.code; return new Function(body); }",
      "const compare = new Function('a', 'b', clauses.join(' && '));",
    ],
    negatives: [
      "const value = eval('1 + 2');",
      "const f = new Function('a', 'return a + 1');",
      "const validate = new Function(`${names.scope}`, generatedSource);",
      "function compile(args, body) { const source = `(${args}) => { ${body} };`; return eval(source); }",
      "function render(text) { let source = 'var p = [];' + text; return new Function('obj', source); }",
      "setTimeout(() => update(id), 100);",
      "const value = JSON.parse(text);",
      "const f = new Function(['a', 'b'].join(','), 'return a < b');",
      "const line = parts.join(' && ');",
    ],
  },
  {
    rule: "js.child-process",
    positives: [
      "child_process.exec('ls ' + dir, done);",
      "cp.execSync(`git checkout ${branch}`);",
      "spawn(cmd, { shell: true });",
      "const command = 'ls';\nfunction list(command) { cp.exec(command, done); }",
    ],
    negatives: [
      "child_process.exec('ls -l', done);",
      "execFile('git', ['checkout', branch]);",
      "spawn('ls', [dir]);",
      "const m = /a(b)/.exec(text);",
      "const exec = (line, columns) => line.slice(0, columns);\nlines.map((line) => exec(line, 80));",
      "const command = 'ldd --version';\nfunction detect() { childProcess.exec(command, done); }",
      "const exec = promisify(require('child_process').execFile);\nasync function version(cmd) { await exec(cmd, ['-V']); }",
    ],
  },
  {
    rule: "js.inner-html",
    positives: [
      "el.innerHTML = '<b>' + name + '</b>';",
      "el.innerHTML = html;",
      "el.insertAdjacentHTML('beforeend', markup);",
      "document.write(content);",
    ],
    negatives: [
      "el.innerHTML = '<b>static</b>';",
      "code[i].innerHTML = highlight(code[i].innerHTML);",
      "el.textContent = name;",
      "el.innerHTML = '';",
      "function parse(dirty) { const doc = new DOMParser().parseFromString('', 'text/html'); doc.body.innerHTML = dirty; }",
      "function parse(dirty) { const doc = implementation.createHTMLDocument(''); doc.documentElement.innerHTML = dirty; }",
    ],
  },
  {
    rule: "js.post-message-any-origin",
    positives: ["win.postMessage(data, '*');", 'iframe.contentWindow.postMessage({ open: url }, "*");'],
    negatives: ["win.postMessage(data, 'https://app.example.com');", "worker.postMessage(data);"],
  },
  {
    rule: "js.new-buffer",
    positives: [
      "const b = new Buffer(size);",
      "const c = Buffer(text);",
      "function pad(n) { return new Buffer(n); }",
      "chunks.push(new Buffer(data, encoding));",
      "const b = new Buffer(header.length + 16);",
    ],
    negatives: [
      "const b = Buffer.alloc(size);",
      "const c = Buffer.from(text);",
      "function make(n) { return Buffer.alloc ? Buffer.alloc(n) : new Buffer(n); }",
      "SafeBuffer.alloc = function (size) { var buf = Buffer(size); buf.fill(0); return buf; };",
      "const b = new Buffer(16);",
      "const c = new Buffer(payload, 'base64');",
      "const d = new Buffer([1, 2, 3]);",
      "stream.push(Buffer(size).fill('abc'));",
      "function alloc(size) {\n  function modern(n) { return Buffer.allocUnsafe(n); }\n  function legacy(n) { return new Buffer(n); }\n}",
      "if (typeof Buffer.allocUnsafe === 'function') { make = function (n) { return Buffer.allocUnsafe(n); }; }\nelse { make = function (n) { return new Buffer(n); }; }",
    ],
  },
  {
    rule: "js.unsafe-alloc",
    positives: ["const b = Buffer.allocUnsafe(length);", "const c = Buffer.allocUnsafeSlow(n);"],
    negatives: [
      "const b = Buffer.alloc(length);",
      "const b = Buffer.allocUnsafe(length).fill(0);",
      "const empty = Buffer.allocUnsafe(0);",
      "randomFillSync(Buffer.allocUnsafe(16), 0, 16);",
      "randomFillSync((buffer ??= Buffer.allocUnsafeSlow(SIZE)), 0, SIZE);",
      "function fillPool(bytes) { pool = Buffer.allocUnsafe(bytes * 128); crypto.getRandomValues(pool); }",
    ],
  },
  {
    rule: "js.non-literal-require",
    positives: [
      "const cmd = require(`./commands/${name}`);",
      "const lib = require(ROOT + '/lib/' + name);",
      "Server.prototype.set = function (option, value) { this.engine = require(value); };",
      "define = function (deps) { return deps.map(function (id) { return require(id); }); };",
    ],
    negatives: [
      "function load(dir) { const file = path.join(dir, 'package.json'); return require(file); }",
      "const fs = require('fs');",
      "const local = require(__dirname + '/local');",
      "const p = require(path.join(__dirname, 'package.json'));",
      "const binding = require(`../../prebuilds/${process.platform}-${process.arch}/addon.node`);",
    ],
  },
  {
    rule: "js.non-literal-regexp",
    positives: [
      "const re = new RegExp('^' + req.query.prefix);",
      "const re = RegExp(`${search}\\\\b`, 'g');",
      "const re = new RegExp(input);",
      "const re = new RegExp(document.getElementById('q').value, 'i');",
    ],
    negatives: [
      "const re = new RegExp('^abc$');",
      "function compile(value, flags) { return new RegExp(value, flags); }",
      "const re = new RegExp(option.filter, 'u');",
      "const re = new RegExp('^' + prefix);",
      "const re = new RegExp('^' + escapeRegExp(prefix));",
      "const re = /^abc/;",
      "const copy = new RegExp(other.source, 'g');",
      "const regex = new RegExp(steps[2].value);",
      "regExp = RegExp(argumentNode.value);",
    ],
  },
  {
    rule: "js.weak-random",
    positives: [
      "const token = Math.random().toString(36).slice(2);",
      "function generatePassword() { return Math.random().toString(36); }",
      "const resetKey = Math.floor(Math.random() * 1e9);",
      "function randomString(n) { const possible = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'; let s = ''; for (let i = 0; i < n; i++) s += possible.charAt(Math.floor(Math.random() * possible.length)); return s; }",
      "const api = { generateId: function () { var num = Math.random() * 1e12; return String(num); } };",
      "const ids = { nextId: (function () { function s4() { return Math.floor((1 + Math.random()) * 0x10000); } return s4; })() };",
      "for (let i = 0; i < 4; i++) mask[i] = (Math.random() * 256) | 0;",
      "const digit = (Math.random() * 16) | 0;",
      "const word = words[Math.floor(Math.random() * words.length)];",
      "const pick = Math.floor(Math.random() * list.length);",
      "data.random = Math.random();",
      "function between(min, max) { return Math.floor(Math.random() * (max - min)) + min; }",
      "if (Math.random() < 0.2 && queue.length) queue.shift();",
    ],
    negatives: [
      "const delay = Math.random() * 1000;",
      "const length = Math.round(Math.random() * 2e6);",
      "function backoff(delay) { return [Math.floor(Math.random() * delay), next]; }",
      "const token = crypto.randomBytes(16).toString('hex');",
    ],
  },
  {
    rule: "js.fs-glued-path",
    positives: [
      "const fs = require('fs');\nfunction read(name) { return fs.readFileSync('uploads/' + name); }",
      "const fs = require('fs');\nfunction save(id, data) {\n  const file = `./processing/file${id}.plist`;\n  fs.writeFile(file, data, () => {});\n}",
      "import { promises as fsp } from 'fs';\nimport fse from 'fs-extra';\nfse.removeSync('/tmp/build-' + version);",
    ],
    negatives: [
      "const fs = require('fs');\nconst text = fs.readFileSync(__dirname + '/template.html');",
      "const fs = require('fs');\nfunction read(root) { return fs.readFileSync(`${root}/package.json`); }",
      "const fs = require('fs');\nconst data = fs.readFileSync('config/' + CONFIG_NAME);",
      "const fs = require('fs');\nfunction make(cwd, part) { let dir = cwd; dir += '/' + part; fs.mkdirSync(dir); }",
      "const fs = require('fs');\nfunction read(name) { return fs.readFileSync(path.join(base, path.basename(name))); }",
    ],
  },
  {
    rule: "js.weak-hash",
    positives: ["const h = crypto.createHash('md5').update(pw).digest('hex');", "const h = createHash('sha1');"],
    negatives: [
      "const h = crypto.createHash('sha256');",
      "const h = crypto.createHash(algorithm);",
      "const thumbprint = createHash('sha1').update(der).digest('hex');",
    ],
  },
  {
    rule: "js.weak-cipher",
    positives: [
      "const c = crypto.createCipher('aes-256-cbc', password);",
      "const c = crypto.createCipheriv('des-ede3-cbc', key, iv);",
      "const c = crypto.createCipheriv('aes-128-ecb', key, null);",
    ],
    negatives: ["const c = crypto.createCipheriv('aes-256-gcm', key, iv);"],
  },
  {
    rule: "js.static-iv",
    positives: [
      "const c = crypto.createCipheriv('aes-256-gcm', key, '0123456789ab');",
      "const c = crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16));",
    ],
    negatives: [
      "const c = crypto.createCipheriv('aes-256-gcm', key, crypto.randomBytes(12));",
      "const c = crypto.createCipheriv('aes-256-gcm', key, iv);",
    ],
  },
  {
    rule: "js.tls-verification-off",
    positives: [
      "https.request({ host, rejectUnauthorized: false });",
      "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';",
    ],
    negatives: [
      "https.request({ host, rejectUnauthorized: true });",
      "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';",
    ],
  },
  {
    rule: "js.cookie-flags",
    positives: ["res.cookie('sid', sid, { secure: false });", "app.use(session({ cookie: { httpOnly: false } }));"],
    negatives: ["res.cookie('sid', sid, { secure: true, httpOnly: true });", "const options = { secure: false };"],
  },
  {
    rule: "js.buffer-noassert",
    positives: ["const n = buf.readUInt16BE(offset, true);"],
    negatives: ["const n = buf.readUInt16BE(offset);"],
  },
  {
    rule: "js.timing-unsafe-comparison",
    positives: ["if (user.password === password) login();", "return signature == expectedSignature;"],
    negatives: [
      "if (password === undefined) fail();",
      "if (crypto.timingSafeEqual(a, b)) login();",
      "if (token === null) return;",
      "if (method1.callSignature === method2.callSignature) merge();",
    ],
  },
  {
    rule: "js.sql-formatting",
    positives: [
      "db.query('SELECT * FROM users WHERE id = ' + id);",
      "await pool.query(`DELETE FROM items WHERE owner = '${owner}'`);",
      "db.query(`SELECT * FROM ${TABLE} WHERE name = '${name}'`);",
    ],
    negatives: [
      "db.query('SELECT * FROM users WHERE id = $1', [id]);",
      "db.prepare(`DELETE FROM cache_v${VERSION} WHERE url = ?`);",
      "db.query('SELECT * FROM ' + config.TABLE_NAME + ' WHERE id = ?', [id]);",
      "db.query('SELECT 1');",
      "$(el).find('.' + cls);",
    ],
  },
  {
    rule: "js.xxe",
    positives: ["const doc = libxmljs.parseXml(xml, { noent: true });"],
    negatives: ["const doc = libxmljs.parseXml(xml, { noent: false });"],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [
      "const password = 'hunter22';",
      "const config = { apiKey: 'abcd1234efgh5678' };",
      "user.password = 'Sup3rS3cret';",
    ],
    negatives: [
      "const password = process.env.PASSWORD;",
      "const PASSWORD_BANNED = 'passwordBanned';",
      "const passwordLabel = 'Password';",
      "const tokenType = 'keyword';",
      "fetch(url, { credentials: 'include' });",
    ],
  },
  {
    rule: "secret.token-format",
    positives: [
      "const key = 'AIzaSyB3ZvJDuZ2HD-UppgPvY2by-GI0KnessXw';",
      "const gh = `ghp_abcdefghijklmnopqrstuvwxyz0123456789`;",
    ],
    negatives: [
      "const key = process.env.GOOGLE_API_KEY;",
      "const documented = { AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE' };",
    ],
    stringsAreInScope: true,
  },
];

/** JSX-only rules, checked in the .jsx and .tsx grammars. */
export const JSX_CASES: readonly RuleCase[] = [
  {
    rule: "js.dangerously-set-inner-html",
    positives: [
      "const view = <div dangerouslySetInnerHTML={{ __html: html }} />;",
      'const view = <div className="x" dangerouslySetInnerHTML={{ __html: body }}>\n</div>;',
    ],
    negatives: ["const view = <div>{html}</div>;", "const view = <div className={html} />;"],
  },
];

/** TypeScript-specific forms of the same rules. */
export const TYPESCRIPT_CASES: readonly RuleCase[] = [
  {
    rule: "js.eval",
    positives: ["const value: unknown = eval(source as string);"],
    negatives: ["const value: number = eval('1 + 2');"],
  },
  {
    rule: "js.child-process",
    positives: ["execSync(`rm -rf ${dir!}`);"],
    negatives: ["execSync('rm -rf build');"],
  },
];

import type { RuleCase } from "../harness";

const php = (code: string): string => `<?php\n${code}\n`;

export const PHP_CASES: readonly RuleCase[] = [
  {
    rule: "php.weak-hash",
    positives: [php("$h = md5($password);"), php("$h = sha1($data);"), php("$h = hash('md5', $data);")],
    negatives: [
      php("$h = hash('sha256', $data);"),
      php("$h = password_hash($password, PASSWORD_DEFAULT);"),
      php("$row = ['column_name_hash' => md5($column)];"),
      php("$sqlMd5 = md5($query);"),
    ],
  },
  {
    rule: "php.command-injection",
    positives: [
      php("exec($cmd);"),
      php("$out = shell_exec('ls ' . $dir);"),
      php('system("convert $file out.png");'),
      php("$out = `ls $dir`;"),
    ],
    negatives: [
      php("exec('ls -l');"),
      php("$out = shell_exec('ls ' . escapeshellarg($dir));"),
      php("$db->exec($sql);"),
    ],
  },
  {
    rule: "php.eval",
    positives: [
      php("eval($code);"),
      php("$r = preg_replace('/(.*)/e', 'strtoupper(\"\\\\1\")', $s);"),
      php("$f = create_function('$a', $body);"),
      php('assert("$check");'),
    ],
    negatives: [
      php("eval('return 1;');"),
      php("$r = preg_replace_callback('/(.*)/', 'cb', $s);"),
      php("assert($count > 0);"),
    ],
  },
  {
    rule: "php.unsafe-deserialization",
    positives: [php("$data = unserialize($_COOKIE['prefs']);")],
    negatives: [
      php("$data = unserialize($raw, ['allowed_classes' => false]);"),
      php("$data = json_decode($_COOKIE['prefs'], true);"),
    ],
  },
  {
    rule: "php.display-errors",
    positives: [php("ini_set('display_errors', 'on');"), php("ini_set('display_errors', 1);")],
    negatives: [php("ini_set('display_errors', 0);"), php("ini_set('log_errors', 'on');")],
  },
  {
    rule: "php.open-redirect",
    positives: [php("header('Location: ' . $_GET['next']);"), php("header(\"Location: {$_POST['url']}\");")],
    negatives: [php("header('Location: /home');"), php("header('Content-Type: ' . $_GET['t']);")],
  },
  {
    rule: "php.sql-formatting",
    positives: [
      php('mysqli_query($conn, "SELECT * FROM users WHERE id = $id");'),
      php("$pdo->query('SELECT * FROM users WHERE name = ' . $name);"),
      php('$sql = "DELETE FROM t WHERE id = " . $_GET["id"];\n$db->query($sql);'),
      php("$pdo->query(sprintf('SELECT * FROM t WHERE name = \"%s\"', $name));"),
    ],
    negatives: [
      php("$stmt = $pdo->prepare('SELECT * FROM users WHERE id = ?');"),
      php("$pdo->query('SELECT 1');"),
      php("$db->query('SHOW TABLES FROM ' . Util::backquote($db));"),
      php("$db->query('SELECT * FROM t WHERE id = ' . (int) $id);"),
      php('$db->query("SELECT * FROM t WHERE name = \'" . $db->escapeString($name) . "\'");'),
      php("$db->query('SELECT * FROM t WHERE id = ' . intval($_GET['id']));"),
    ],
  },
  {
    rule: "php.weak-random",
    positives: [php("$token = md5(uniqid(rand(), true));"), php("$password = mt_rand();")],
    negatives: [php("$dice = mt_rand(1, 6);"), php("$token = bin2hex(random_bytes(16));")],
  },
  {
    rule: "php.fixed-seed",
    positives: [php("mt_srand(42);"), php("srand($seed);")],
    negatives: [php("mt_srand();")],
  },
  {
    rule: "php.tls-verification-off",
    positives: [
      php("curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);"),
      php("$ctx = stream_context_create(['ssl' => ['verify_peer' => false]]);"),
    ],
    negatives: [
      php("curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);"),
      php("$ctx = stream_context_create(['ssl' => ['verify_peer' => true]]);"),
    ],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [php("$password = 'hunter22';"), php("$config = array('db_password' => 's3cr3tpw');")],
    negatives: [php("$password = getenv('DB_PASSWORD');"), php("$password = '';")],
  },
  {
    rule: "secret.token-format",
    positives: [
      php("const KEY = 'AIzaSyBJpPFbTxblcXA1UPZFsERxWmPBq6XLCm0';"),
      '<script src="https://maps.googleapis.com/maps/api/js?key=AIzaSyBSIFJslwcgjr4ttFgt0TX3KSG6sqLkzY8"></script>\n',
    ],
    negatives: [
      php("const KEY = GOOGLE_KEY;"),
      '<!-- <script src="https://maps.googleapis.com/maps/api/js?key=AIzaSyBSIFJslwcgjr4ttFgt0TX3KSG6sqLkzY8"></script> -->\n',
    ],
    stringsAreInScope: true,
  },
];

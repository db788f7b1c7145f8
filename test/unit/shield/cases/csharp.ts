import type { RuleCase } from "../harness";

const inMethod = (body: string): string => `class Sample {\n  void Run() {\n    ${body}\n  }\n}`;
const inAction = (parameter: string, body: string): string =>
  `public class AccountController : Controller {\n  public IActionResult Login(${parameter}) {\n    ${body}\n  }\n}`;

export const CSHARP_CASES: readonly RuleCase[] = [
  {
    rule: "csharp.weak-hash",
    positives: [
      inMethod("var md5 = new MD5CryptoServiceProvider();"),
      inMethod("using (var h = MD5.Create()) { }"),
      inMethod("var sha = new SHA1Managed();"),
    ],
    negatives: [inMethod("using (var h = SHA256.Create()) { }")],
  },
  {
    rule: "csharp.weak-cipher",
    positives: [
      inMethod("var des = new DESCryptoServiceProvider();"),
      inMethod("var t = TripleDES.Create();"),
      inMethod("aes.Mode = CipherMode.ECB;"),
    ],
    negatives: [inMethod("var aes = Aes.Create();"), inMethod("var gcm = new AesGcm(key);")],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: [inMethod("aes.Mode = CipherMode.CBC;")],
    negatives: [inMethod("var gcm = new AesGcm(key);")],
  },
  {
    rule: "csharp.command-injection",
    positives: [
      inMethod("Process.Start(path);"),
      inMethod('var info = new ProcessStartInfo(program, "/c " + args);'),
      inMethod("p.StartInfo.Arguments = arguments;"),
    ],
    negatives: [inMethod('Process.Start("notepad.exe");'), inMethod('p.StartInfo.Arguments = "--version";')],
  },
  {
    rule: "csharp.unsafe-deserialization",
    positives: [
      inMethod("var o = new BinaryFormatter().Deserialize(stream);"),
      inMethod("var formatter = new BinaryFormatter();\n    var o = formatter.Deserialize(stream);"),
      inMethod("settings.TypeNameHandling = TypeNameHandling.All;"),
    ],
    negatives: [
      inMethod("var o = JsonSerializer.Deserialize<Order>(json);"),
      inMethod("settings.TypeNameHandling = TypeNameHandling.None;"),
    ],
  },
  {
    rule: "csharp.weak-random",
    positives: [
      inMethod("var token = rng.Next();"),
      inMethod("int resetToken = random.Next(100000, 999999);"),
      inMethod("var salt = new byte[16];\n    rnd.NextBytes(salt);"),
      inMethod('node.Value = "user" + new Random().Next();'),
      inMethod("int sessionId = random.Next();"),
      // Every use: what a drawn value becomes is rarely visible where it is drawn.
      inMethod("int index = random.Next(items.Count);"),
      inMethod("int wait = new Random().Next(10);"),
      inMethod("double d = (double)(_random.NextDouble());"),
      inMethod("var generator = new Random();"),
      inMethod("int pick = Random.Shared.Next(6);"),
      "class Dice {\n  private readonly Random die = new Random();\n  int Roll() { return die.Next(1, 7); }\n}",
      "class Dice {\n  int Roll(Random die) { return die.Next(1, 7); }\n}",
      inMethod("var seeded = new Random(Environment.TickCount);\n    var n = seeded.Next();"),
      // UnityEngine.Random: System.Random has no static Range or value.
      inMethod("int dir = Random.Range(1, 3);"),
      inMethod("return UnityEngine.Random.Range(min, max);"),
      inMethod("if (Random.value < 0.5f) Flip();"),
      // Random bytes from a constant-seeded generator are still key material.
      inMethod("Random rnd = new Random(1234);\n    rnd.NextBytes(key);"),
    ],
    negatives: [
      // The CSPRNG.
      inMethod("int pick = RandomNumberGenerator.GetInt32(6);"),
      inMethod("using var rng = RandomNumberGenerator.Create();\n    rng.GetBytes(salt);"),
      // Next() on other types: an enumerator, an id generator, a sequence declared in the file.
      inMethod("var e = list.GetEnumerator();\n    e.MoveNext();"),
      inMethod("long id = generator.Next();"),
      "class Ids {\n  private readonly IdSequence random = new IdSequence();\n  long Take() { return random.Next(); }\n}",
      inMethod("var next = node.Next;"),
      // A constant seed asks for a reproducible sequence (csharp.fixed-seed covers secret-like uses).
      inMethod("Random rand = new Random(123456);\n    rand.Next(10000);"),
      inMethod("var noise = new Random(42);"),
      // Unity's InitState only sets the seed; draws are reported where they happen.
      inMethod("Random.InitState(42);"),
    ],
  },
  {
    rule: "csharp.sql-formatting",
    positives: [
      inMethod('var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = \'" + name + "\'", conn);'),
      inMethod('cmd.CommandText = $"DELETE FROM Items WHERE Id = {id}";'),
      inMethod('db.ExecuteNonQuery(string.Format("delete from logs where ID={0}", id));'),
      inMethod('var sql = "SELECT * FROM t WHERE a = " + a;\n    var cmd = new SqlCommand(sql, conn);'),
      // A completion window that ends inside the statement: no ";" and no closing braces.
      'class Sample {\n  void Run() {\n    cmd.CommandText =\n      "SELECT * FROM t WHERE a = " + a\n      + " AND b = 1"',
    ],
    negatives: [
      inMethod('var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = @name", conn);'),
      inMethod('cmd.CommandText = "SELECT 1";'),
      inMethod('db.ExecuteNonQuery(string.Format("delete from logs"));'),
      inMethod('db.ExecuteNonQuery(string.Format("delete from logs where ID={0}", 5));'),
    ],
  },
  {
    rule: "csharp.sql-unseen-text",
    positives: [
      inMethod(
        "var sqlQuery = ConfigurationManager.AppSettings[key];\n    var cmd = new SqlCommand(sqlQuery, connection);",
      ),
      inMethod("var text = File.ReadAllText(scriptPath);\n    using (var cmd = new SqlCommand(text, conn, tx)) { }"),
      inMethod("command.CommandText = this.statementText;"),
      "class Repository {\n  public int Run(string statement) {\n    using (var cmd = new SqlCommand(statement, conn)) { return cmd.ExecuteNonQuery(); }\n  }\n}",
    ],
    negatives: [
      inMethod('var sql = "SELECT * FROM Users WHERE Id = @id";\n    var cmd = new SqlCommand(sql, conn);'),
      'class Repository {\n  private const string selectUser = "SELECT * FROM Users WHERE Id = @id";\n  void Run() { var cmd = new SqlCommand(selectUser, conn); }\n}',
      inMethod("var cmd = new SqlCommand(Queries.SelectUser, conn);"),
      inMethod("var cmd = new SqlCommand(SelectUserSql, conn);"),
      inMethod('command.CommandText = "SELECT 1";'),
    ],
  },
  {
    rule: "csharp.xml-validation-resolver",
    positives: [
      inMethod(
        "var settings = new XmlReaderSettings();\n    settings.ValidationType = ValidationType.Schema;\n    var reader = XmlReader.Create(input, settings);",
      ),
      inMethod(
        "var s = new XmlReaderSettings { ValidationType = ValidationType.DTD, DtdProcessing = DtdProcessing.Ignore };\n    var r = XmlReader.Create(new StringReader(xml), s);",
      ),
      inMethod(
        "var s = new XmlReaderSettings();\n    s.ValidationType = ValidationType.Schema;\n    s.Schemas.Add(XmlSchema.Read(XmlReader.Create(new StringReader(xsd)), null));",
      ),
    ],
    negatives: [
      inMethod(
        "var settings = new XmlReaderSettings();\n    settings.ValidationType = ValidationType.Schema;\n    settings.XmlResolver = null;\n    var reader = XmlReader.Create(input, settings);",
      ),
      inMethod("var settings = new XmlReaderSettings();\n    var reader = XmlReader.Create(input, settings);"),
      inMethod("var reader = XmlReader.Create(input);"),
      inMethod(
        'var s = new XmlReaderSettings();\n    s.ValidationType = ValidationType.Schema;\n    s.XmlResolver = null;\n    s.Schemas.Add("urn:orders", "orders.xsd");',
      ),
    ],
  },
  {
    rule: "csharp.xpath-injection",
    positives: [
      inMethod('var n = doc.SelectNodes("//user[@name=\'" + name + "\']");'),
      inMethod("var n = doc.SelectSingleNode(xpath);"),
      inMethod("var n = node.SelectSingleNode(String.Format(CultureInfo.InvariantCulture, Expression, name));"),
      inMethod("var n = node.SelectSingleNode($\"param[@name='{name}']\");"),
    ],
    negatives: [
      inMethod("var n = doc.SelectNodes(\"//user[@active='true']\");"),
      inMethod("var n = doc.SelectNodes(Constants.UserPath);"),
      inMethod("var n = items.Select(x => x[0]);"),
    ],
  },
  {
    rule: "csharp.xml-document-resolver",
    positives: [
      inMethod("XmlDocument doc = new XmlDocument();\n    doc.Load(path);"),
      inMethod("var doc = new System.Xml.XmlDocument();\n    doc.LoadXml(text);"),
    ],
    negatives: [
      inMethod("XmlDocument doc = new XmlDocument();\n    doc.XmlResolver = null;\n    doc.Load(path);"),
      inMethod("var doc = new XmlDocument { XmlResolver = null };\n    doc.Load(path);"),
      inMethod("var assembly = Assembly.Load(name);"),
    ],
  },
  {
    rule: "csharp.xxe",
    positives: [
      inMethod("settings.DtdProcessing = DtdProcessing.Parse;"),
      inMethod("doc.XmlResolver = new XmlUrlResolver();"),
    ],
    negatives: [inMethod("settings.DtdProcessing = DtdProcessing.Prohibit;"), inMethod("doc.XmlResolver = null;")],
  },
  {
    rule: "csharp.csrf-missing",
    positives: [
      "public class OrdersController : Controller {\n  [HttpPost]\n  public ActionResult Delete(int id) { return View(); }\n}",
      "        }\n\n        [HttpPost]\n        public ActionResult Save(OrderModel model)\n        {\n            if (ModelState.IsValid)\n",
      'public class OrdersController : Controller {\n  [ActionName("Index")]\n  [HttpPost]\n  public ActionResult Enable(int[] ids) { return View(); }\n}',
    ],
    negatives: [
      "public class OrdersController : Controller {\n  [HttpPost]\n  [ValidateAntiForgeryToken]\n  public ActionResult Delete(int id) { return View(); }\n}",
      "[AutoValidateAntiforgeryToken]\npublic class OrdersController : Controller {\n  [HttpPost]\n  public ActionResult Delete(int id) { return View(); }\n}",
      "public class OrdersController : Controller {\n  [HttpGet]\n  public ActionResult Show(int id) { return View(); }\n}",
      "        }\n\n        [HttpPost]\n        [ValidateAntiForgeryToken]\n        public ActionResult Save(OrderModel model)\n        {\n",
      "public class OrdersApi : ApiController {\n  [HttpPost]\n  public Order Create(Order order) { return order; }\n}",
    ],
  },
  {
    rule: "csharp.request-validation-off",
    positives: [
      "public class C : Controller {\n  [ValidateInput(false)]\n  public ActionResult Save(string html) { return View(); }\n}",
    ],
    negatives: [
      "public class C : Controller {\n  [ValidateInput(true)]\n  public ActionResult Save(string html) { return View(); }\n}",
    ],
  },
  {
    rule: "csharp.tls-verification-off",
    positives: [
      inMethod("ServicePointManager.ServerCertificateValidationCallback = (s, c, ch, e) => true;"),
      inMethod(
        "handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;",
      ),
      "class Client {\n  void Init() {\n    ServicePointManager.ServerCertificateValidationCallback += new RemoteCertificateValidationCallback(AcceptAll);\n  }\n  static bool AcceptAll(object s, X509Certificate c, X509Chain ch, SslPolicyErrors e) {\n    return true;\n  }\n}",
      "class Client {\n  void Init() {\n    ServicePointManager.ServerCertificateValidationCallback = AcceptAll;\n  }\n  static bool AcceptAll(object s, X509Certificate c, X509Chain ch, SslPolicyErrors e) => true;\n}",
    ],
    negatives: [
      inMethod("handler.ServerCertificateCustomValidationCallback = (m, c, ch, e) => e == SslPolicyErrors.None;"),
      "class Client {\n  void Init() {\n    ServicePointManager.ServerCertificateValidationCallback = Check;\n  }\n  static bool Check(object s, X509Certificate c, X509Chain ch, SslPolicyErrors e) {\n    return e == SslPolicyErrors.None;\n  }\n}",
    ],
  },
  {
    rule: "csharp.cookie-flags",
    positives: [
      inMethod("cookie.Secure = false;"),
      inMethod("cookie.HttpOnly = false;"),
      inMethod('Response.Cookies.Append("session", token, new CookieOptions { Expires = expiry });'),
    ],
    negatives: [
      inMethod("cookie.Secure = true;"),
      inMethod('Response.Cookies.Append("session", token, new CookieOptions { Secure = true, HttpOnly = true });'),
      inMethod(
        'Response.Cookies.Append("session", token, new CookieOptions { Secure = settings.Secure, HttpOnly = true });',
      ),
    ],
  },
  {
    rule: "csharp.weak-algorithm-name",
    positives: [
      inMethod('var h = HashAlgorithm.Create("MD5");'),
      inMethod('var c = SymmetricAlgorithm.Create("TripleDES");'),
    ],
    negatives: [inMethod('var h = HashAlgorithm.Create("SHA256");')],
  },
  {
    rule: "csharp.weak-password-policy",
    positives: [
      inMethod(
        "manager.PasswordValidator = new PasswordValidator\n    {\n      RequiredLength = 6,\n      RequireDigit = false,\n    };",
      ),
      inMethod("options.Password.RequiredLength = 4;"),
    ],
    negatives: [
      inMethod(
        "manager.PasswordValidator = new PasswordValidator\n    {\n      RequiredLength = 12,\n      RequireDigit = false,\n    };",
      ),
      inMethod("options.Password.RequiredLength = 10;"),
      inMethod("var pager = new PageOptions { RequiredLength = 6 };"),
    ],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [inMethod('string password = "hunter22";')],
    negatives: [inMethod('string password = Environment.GetEnvironmentVariable("PW");')],
  },
  {
    rule: "csharp.unescaped-output",
    positives: [
      inMethod("var html = Html.Raw(Model.Comment);"),
      inMethod('var html = new HtmlString("<b>" + name + "</b>");'),
    ],
    negatives: [
      inMethod('var html = Html.Raw("<br/>");'),
      inMethod("var html = Html.Raw(HtmlEncoder.Default.Encode(Model.Comment));"),
    ],
  },
  {
    rule: "csharp.open-redirect",
    positives: [
      inAction("string returnUrl", "return Redirect(returnUrl);"),
      inMethod('Response.Redirect(Request.QueryString["next"]);'),
    ],
    negatives: [
      inAction(
        "string returnUrl",
        'if (Url.IsLocalUrl(returnUrl)) return Redirect(returnUrl);\n    return Redirect("/");',
      ),
      inAction("string returnUrl", "return LocalRedirect(returnUrl);"),
      inAction("int id", 'return Redirect(Url.Action("Details", new { id }));'),
    ],
  },
  {
    rule: "csharp.cors-any-origin-with-credentials",
    positives: [
      inMethod(
        'services.AddCors(o => o.AddPolicy("all", p => p.AllowAnyOrigin().AllowAnyHeader().AllowCredentials()));',
      ),
      inMethod("builder.SetIsOriginAllowed(_ => true).AllowCredentials();"),
      '[EnableCors(origins: "*", headers: "*", methods: "*", SupportsCredentials = true)]\npublic class ApiController {}',
    ],
    negatives: [
      inMethod('builder.WithOrigins("https://app.example.com").AllowCredentials();'),
      inMethod("builder.AllowAnyOrigin().AllowAnyHeader();"),
    ],
  },
  {
    rule: "csharp.debug-enabled",
    positives: [inMethod("app.UseDeveloperExceptionPage();")],
    negatives: [
      inMethod("if (env.IsDevelopment())\n    {\n      app.UseDeveloperExceptionPage();\n    }"),
      inMethod('app.UseExceptionHandler("/Error");'),
    ],
  },
  {
    rule: "csharp.fixed-seed",
    positives: [
      inMethod("var random = new Random(42);\n    var resetToken = random.Next();"),
      inMethod("var saltGenerator = new Random(1234);"),
    ],
    negatives: [
      inMethod("var random = new Random(42);\n    var index = random.Next(10);"),
      inMethod("var tokenRandom = new Random();"),
    ],
  },
];

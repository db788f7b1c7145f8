import type { RuleCase } from "../harness";

const inMethod = (body: string): string => `class Sample {\n  void run() throws Exception {\n    ${body}\n  }\n}`;
const inServlet = (body: string): string =>
  `class Sample extends HttpServlet {\n  void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {\n    ${body}\n  }\n}`;
const inController = (parameter: string, body: string): string =>
  `@RestController\nclass Sample {\n  @GetMapping("/x")\n  String handle(${parameter}) throws Exception {\n    ${body}\n  }\n}`;

export const JAVA_CASES: readonly RuleCase[] = [
  {
    rule: "java.weak-hash",
    positives: [
      inMethod('MessageDigest md = MessageDigest.getInstance("MD5");'),
      inMethod('MessageDigest md = MessageDigest.getInstance("SHA-1");'),
      inMethod("String h = DigestUtils.md5Hex(data);"),
      inMethod("HashCode h = Hashing.sha1().hashBytes(b);"),
    ],
    negatives: [
      inMethod('MessageDigest md = MessageDigest.getInstance("SHA-256");'),
      inMethod("String h = DigestUtils.sha256Hex(data);"),
    ],
  },
  {
    rule: "java.weak-cipher",
    positives: [
      inMethod('Cipher c = Cipher.getInstance("DES/CBC/PKCS5Padding");'),
      inMethod('Cipher c = Cipher.getInstance("AES/ECB/PKCS5Padding");'),
      inMethod('Cipher c = Cipher.getInstance("AES");'),
      inMethod('Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");'),
      inMethod('KeyGenerator g = KeyGenerator.getInstance("DESede");'),
    ],
    negatives: [
      inMethod('Cipher c = Cipher.getInstance("AES/GCM/NoPadding");'),
      inMethod('Cipher c = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");'),
      inMethod('KeyGenerator g = KeyGenerator.getInstance("AES");'),
    ],
  },
  {
    rule: "crypto.unauthenticated-mode",
    positives: [inMethod('Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");')],
    negatives: [inMethod('Cipher c = Cipher.getInstance("AES/GCM/NoPadding");')],
  },
  {
    rule: "java.command-injection",
    positives: [
      inMethod('Runtime.getRuntime().exec("kill " + pid);'),
      inMethod("Process p = Runtime.getRuntime().exec(command);"),
      inMethod('new ProcessBuilder("sh", "-c", "ls " + dir).start();'),
    ],
    negatives: [
      inMethod('Runtime.getRuntime().exec("ls -l");'),
      inMethod('Runtime.getRuntime().exec(new String[] {"ls", "-l"});'),
      inMethod('new ProcessBuilder("ls", dir).start();'),
    ],
  },
  {
    rule: "java.unsafe-deserialization",
    positives: [
      inMethod("ObjectInputStream in = new ObjectInputStream(socket.getInputStream());"),
      inMethod("Object o = new XMLDecoder(stream).readObject();"),
      inMethod("Object o = xstream.fromXML(xml);"),
      inMethod(
        "try (ObjectInputStream in =\n        new ObjectInputStream(stream)) {\n      return in.readObject();\n    }",
      ),
    ],
    negatives: [
      inMethod("ObjectOutputStream out = new ObjectOutputStream(stream);"),
      inMethod("Foo o = mapper.readValue(json, Foo.class);"),
    ],
  },
  {
    rule: "java.weak-random",
    positives: [
      inMethod("long sessionId = random.nextLong();"),
      inMethod("int resetToken = rnd.nextInt();"),
      inMethod("double salt = Math.random();"),
      // Every use: what a drawn value becomes is rarely visible where it is drawn.
      inMethod("int index = random.nextInt(size);"),
      inMethod("if (rng.nextBoolean()) { swap(a, b); }"),
      inMethod("Random generator = new Random();"),
      inMethod("int pick = new Random().nextInt(10);"),
      inMethod("int pick = ThreadLocalRandom.current().nextInt(10);"),
      "import java.util.Random;\nclass Dice {\n  private final Random die = new Random();\n  int roll() { return die.nextInt(6) + 1; }\n}",
    ],
    negatives: [
      inMethod("long sessionId = secureRandom.nextLong();"),
      // Same method names on other types.
      "class Input {\n  int read(Scanner scanner) { return scanner.nextInt(); }\n}",
      "import java.security.SecureRandom;\nclass Keys {\n  private final SecureRandom random = new SecureRandom();\n  long token() { return random.nextLong(); }\n}",
      inMethod("Iterator<String> it = list.iterator();\n    String s = it.next();"),
      // A constant seed asks for a reproducible sequence (java.fixed-seed covers secret-like uses).
      inMethod("Random noise = new Random(3049912);\n    double d = noise.nextDouble();"),
      inMethod("randomPhase(data, new Random(3049912));"),
      "import org.example.sim.Random;\nclass Sim {\n  Random r = new Random();\n}",
    ],
  },
  {
    rule: "java.bind-all-interfaces",
    positives: [
      inMethod("ServerSocket ss = channel.socket();\n    ss.bind(new InetSocketAddress(port));"),
      inMethod("server = HttpServer.create(new InetSocketAddress(8080), 0);"),
    ],
    negatives: [
      inMethod("ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));"),
      inMethod('socket.connect(new InetSocketAddress("example.com", 443));'),
      "import org.example.net.InetSocketAddress;\nclass Sample {\n  Object a = new InetSocketAddress(8080);\n}",
    ],
  },
  {
    rule: "java.command-search-path",
    positives: [
      inMethod('Process p = Runtime.getRuntime().exec("su");'),
      inMethod('Process p = Runtime.getRuntime().exec("pm list packages");'),
      inMethod('Process p = Runtime.getRuntime().exec(new String[] { "ipconfig", "/all" }, null);'),
    ],
    negatives: [
      inMethod('Process p = Runtime.getRuntime().exec("/system/bin/pm list packages");'),
      inMethod('Process p = Runtime.getRuntime().exec(new String[] { "/usr/bin/git", "status" });'),
      inMethod('Process p = Runtime.getRuntime().exec("C:\\\\Windows\\\\System32\\\\ipconfig.exe /all");'),
    ],
  },
  {
    rule: "java.obsolete-api",
    positives: [
      inMethod("this.gameThread.stop();"),
      inMethod("Thread worker = new Thread(task);\n    worker.start();\n    worker.suspend();"),
      inMethod("boolean ok = Character.isJavaLetter(c);"),
      inMethod("if (Character.isSpace(c)) { skip(); }"),
    ],
    negatives: [
      inMethod("this.gameThread.interrupt();"),
      inMethod("timer.stop();"),
      inMethod("Server server = start();\n    server.stop();"),
      inMethod("Thread t = thread;\n    t.stop(reason);"),
      inMethod("boolean ok = Character.isJavaIdentifierStart(c);"),
    ],
  },
  {
    rule: "java.fixed-seed",
    positives: [
      inMethod("SecureRandom r = new SecureRandom(42);"),
      inMethod("Random random = new Random(1234L);\n    long sessionToken = random.nextLong();"),
      inMethod("random.setSeed(1234L);\n    String password = Long.toString(random.nextLong());"),
      "import java.util.Random;\nclass Keys {\n  private final Random rng = new Random(42);\n  byte[] newKey() { byte[] k = new byte[16]; rng.nextBytes(k); return k; }\n}",
    ],
    negatives: [
      inMethod("SecureRandom r = new SecureRandom();"),
      inMethod("random.setSeed(System.nanoTime());"),
      // A reproducible simulation or test: the seed is the point.
      inMethod("Random random = new Random(42);\n    int index = random.nextInt(size);"),
      "import org.example.sim.Random;\nclass Keys {\n  Random rng = new Random(42);\n  long token() { return rng.nextLong(); }\n}",
    ],
  },
  {
    rule: "java.url-from-variable",
    positives: [
      inMethod("InputStream s = new URL(target).openStream();"),
      inMethod("HttpURLConnection c = (HttpURLConnection) new URL(BASE + path).openConnection();"),
      inMethod("socket.connect(new InetSocketAddress(host, port), 1000);"),
      inController("@RequestParam String url", "return restTemplate.getForObject(url, String.class);"),
      inServlet(
        'String target = request.getParameter("target");\n    HttpRequest req = HttpRequest.newBuilder(URI.create(target)).build();',
      ),
    ],
    negatives: [
      inMethod('InputStream s = new URL("https://example.com/feed").openStream();'),
      inMethod("ServerSocket s = new ServerSocket();\n    s.bind(new InetSocketAddress(localAddress, 0));"),
      inMethod("InetSocketAddress a = new InetSocketAddress(port);"),
      inController(
        "@RequestParam String q",
        'return restTemplate.getForObject("https://api.example.com/search?q={q}", String.class, q);',
      ),
    ],
  },
  {
    rule: "java.csrf-disabled",
    positives: [
      inMethod("http.authorizeRequests().anyRequest().authenticated().and().csrf().disable();"),
      inMethod("http.csrf(csrf -> csrf.disable());"),
    ],
    negatives: [
      inMethod("http.csrf(Customizer.withDefaults());"),
      inMethod("http.authorizeRequests().anyRequest().authenticated();"),
    ],
  },
  {
    rule: "java.tls-verification-off",
    positives: [
      "import org.apache.http.conn.ssl.NoopHostnameVerifier;",
      "class V implements HostnameVerifier {\n  public boolean verify(String host, SSLSession s) { return true; }\n}",
      "class T implements X509TrustManager {\n  public void checkServerTrusted(X509Certificate[] c, String a) { }\n}",
      inMethod("HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true);"),
    ],
    negatives: [
      "import org.apache.http.conn.ssl.DefaultHostnameVerifier;",
      "class V implements HostnameVerifier {\n  public boolean verify(String host, SSLSession s) { return host.equals(expected); }\n}",
    ],
  },
  {
    rule: "java.sql-formatting",
    positives: [
      inMethod('ResultSet r = stmt.executeQuery("SELECT * FROM users WHERE name = \'" + name + "\'");'),
      inMethod('String sql = "DELETE FROM t WHERE id = " + id;\n    stmt.executeUpdate(sql);'),
      inMethod('stmt.execute(String.format("UPDATE t SET a = %s", v));'),
      inMethod('ResultSet r = conn.createStatement().executeQuery("SELECT * FROM t WHERE id = " + id);'),
      inMethod('List<User> users = jdbcTemplate.query("SELECT * FROM users WHERE name = \'" + name + "\'", mapper);'),
    ],
    negatives: [
      inMethod('PreparedStatement p = conn.prepareStatement("SELECT * FROM users WHERE name = ?");'),
      inMethod('stmt.executeQuery("SELECT 1");'),
      inMethod('stmt.executeQuery(String.format("SELECT * FROM users"));'),
      inMethod('stmt.executeQuery(String.format("SELECT * FROM users LIMIT %d", 10));'),
    ],
  },
  {
    rule: "java.world-accessible-file",
    positives: [inMethod('SharedPreferences p = ctx.getSharedPreferences("cfg", Context.MODE_WORLD_READABLE);')],
    negatives: [inMethod('SharedPreferences p = ctx.getSharedPreferences("cfg", Context.MODE_PRIVATE);')],
  },
  {
    rule: "java.webview-file-access",
    positives: [inMethod("settings.setAllowFileAccess(true);")],
    negatives: [inMethod("settings.setAllowFileAccess(false);")],
  },
  {
    rule: "java.cookie-flags",
    positives: [
      inMethod("cookie.setSecure(false);"),
      inMethod("cookie.setHttpOnly(false);"),
      inServlet('Cookie c = new Cookie("session", id);\n    response.addCookie(c);'),
      inMethod('ResponseCookie c = ResponseCookie.from("session", id).path("/").build();'),
    ],
    negatives: [
      inMethod("cookie.setSecure(true);"),
      inServlet(
        'Cookie c = new Cookie("session", id);\n    c.setSecure(true);\n    c.setHttpOnly(true);\n    response.addCookie(c);',
      ),
      inMethod('ResponseCookie c = ResponseCookie.from("session", id).secure(true).httpOnly(true).build();'),
    ],
  },
  {
    rule: "java.xpath-injection",
    positives: [
      inMethod('XPathExpression e = xpath.compile("//user[@name=\'" + name + "\']");'),
      inMethod(
        "String expr = String.format(\"//group[@id='%s']\", id);\n    Object r = xPath.evaluate(expr, doc, XPathConstants.NODE);",
      ),
    ],
    negatives: [
      inMethod('XPathExpression e = xpath.compile("//user[@name=$name]");'),
      inMethod("XPathExpression e = xpath.compile(USER_QUERY);"),
      inMethod('Pattern p = Pattern.compile("^" + prefix);'),
    ],
  },
  {
    rule: "java.servlet-response-xss",
    positives: [
      inMethod('resp.getWriter().write("<p>Hello " + request.getParameter("name") + "</p>");'),
      inMethod('response.getWriter().println(param + ": " + context.getInitParameter(param));'),
      inMethod('resp.sendError(500, "Exception trying to perform action=" + action);'),
      inController("@RequestParam String name", 'return "<h1>Hello " + name + "</h1>";'),
    ],
    negatives: [
      inMethod("resp.getWriter().write(json);"),
      inMethod('resp.getWriter().write("<p>Hello</p>" + "</body>");'),
      inMethod('resp.getWriter().write("<p>Hello " + Encode.forHtml(name) + "</p>");'),
      inMethod('resp.sendError(404, "Not found");'),
      inMethod('log.write("value: " + value);'),
      inController("@RequestParam String name", 'return "<h1>Hello " + HtmlUtils.htmlEscape(name) + "</h1>";'),
      inController("@RequestParam String name", 'return "redirect:/hello/" + id;'),
      inMethod('return "<h1>Hello " + name + "</h1>";'),
    ],
  },
  {
    rule: "java.xxe",
    positives: [
      inMethod("DocumentBuilder b = DocumentBuilderFactory.newInstance().newDocumentBuilder();"),
      inMethod("SAXParser p = SAXParserFactory.newInstance().newSAXParser();"),
      inMethod('factory.setFeature("http://xml.org/sax/features/external-general-entities", true);'),
      inMethod("SAXParser parser = factory.newSAXParser();\n    parser.parse(input, handler);"),
      inMethod("XMLReader reader = XMLReaderFactory.createXMLReader();\n    reader.parse(source);"),
    ],
    negatives: [
      inMethod(
        'DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();\n    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);',
      ),
      inMethod('factory.setFeature("http://xml.org/sax/features/external-general-entities", false);'),
      inMethod(
        'factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);\n    SAXParser parser = factory.newSAXParser();\n    parser.parse(input, handler);',
      ),
      inMethod("Date date = format.parse(text);\n    int n = Integer.parseInt(text);"),
      inMethod("SAXParser parser = pool.take();\n    parser.parse(input, handler);"),
    ],
  },
  {
    rule: "secret.hardcoded-password",
    positives: [inMethod('String password = "hunter22";')],
    negatives: [inMethod('String password = System.getenv("DB_PASSWORD");')],
  },
  {
    rule: "secret.token-format",
    positives: [inMethod('String url = base + "&key=AIzaSyAZm7JLojr2KaUvkeHEpHh0Y-zPwP3dpCU";')],
    negatives: [inMethod('String url = base + "&key=" + apiKey;')],
    stringsAreInScope: true,
  },
  {
    rule: "java.path-from-request",
    positives: [
      inServlet('File f = new File(uploadDir, request.getParameter("name"));'),
      inController("@RequestParam String name", 'return Files.readString(Paths.get("/srv/files", name));'),
      inController(
        "@RequestParam MultipartFile file",
        'file.transferTo(new File(dir, file.getOriginalFilename()));\n    return "ok";',
      ),
    ],
    negatives: [
      inServlet('File f = new File(uploadDir, "report.pdf");'),
      inMethod("File f = new File(base, name);"),
      inController("@RequestParam String name", 'return Files.readString(Paths.get("/srv/files", "index.html"));'),
    ],
  },
  {
    rule: "java.open-redirect",
    positives: [
      inServlet('response.sendRedirect(request.getParameter("next"));'),
      inController("@RequestParam String returnUrl", 'return "redirect:" + returnUrl;'),
      inServlet('String next = request.getParameter("next");\n    response.setHeader("Location", next);'),
    ],
    negatives: [
      inServlet('response.sendRedirect("/login");'),
      inController("@RequestParam String id", 'return "redirect:/items";'),
    ],
  },
  {
    rule: "java.cors-any-origin-with-credentials",
    positives: [
      inMethod('registry.addMapping("/**").allowedOriginPatterns("*").allowCredentials(true);'),
      '@CrossOrigin(origins = "*", allowCredentials = "true")\nclass Api {}',
      inServlet(
        'response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));\n    response.setHeader("Access-Control-Allow-Credentials", "true");',
      ),
    ],
    negatives: [
      inMethod('registry.addMapping("/**").allowedOrigins("*");'),
      inMethod('registry.addMapping("/**").allowedOrigins("https://app.example.com").allowCredentials(true);'),
      '@CrossOrigin(origins = "https://app.example.com", allowCredentials = "true")\nclass Api {}',
    ],
  },
  {
    rule: "java.spring-security-debug",
    positives: ["@EnableWebSecurity(debug = true)\nclass SecurityConfig {}"],
    negatives: [
      "@EnableWebSecurity\nclass SecurityConfig {}",
      "@EnableWebSecurity(debug = false)\nclass SecurityConfig {}",
    ],
  },
];

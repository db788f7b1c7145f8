import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { commandIds, internalCommandIds } from "../../../extension/src/vscode/commandIds";

interface MenuItem {
  command?: string;
  alt?: string;
  submenu?: string;
}

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    menus: Record<string, MenuItem[]>;
    submenus: Array<{ id: string }>;
    keybindings: Array<{ command: string }>;
    views: Record<string, Array<{ id: string }>>;
    walkthroughs: Array<{
      steps: Array<{ description: string; media: { markdown?: string }; completionEvents?: string[] }>;
    }>;
  };
}

const root = path.resolve(__dirname, "../../..");
const manifest: Manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const contributed = manifest.contributes.commands.map(({ command }) => command);
const registered = new Set<string>(Object.values(commandIds));
const internal = new Set<string>(Object.values(internalCommandIds));
/** VS Code's own commands that package.json binds keys to. */
const vscodeCommands = new Set([
  "editor.action.inlineSuggest.trigger",
  "editor.action.inlineSuggest.showNext",
  "editor.action.inlineSuggest.showPrevious",
]);
/** VS Code makes a `<view id>.focus` command for every contributed view. */
const viewFocusCommands = new Set(
  Object.values(manifest.contributes.views).flatMap((views) => views.map(({ id }) => `${id}.focus`)),
);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

describe("command registry", () => {
  it("names exactly the commands package.json contributes", () => {
    assert.equal(new Set(contributed).size, contributed.length, "package.json contributes a command twice");
    assert.equal(registered.size, Object.values(commandIds).length, "the registry names a command twice");
    assert.deepEqual([...registered].sort(), [...contributed].sort());
  });

  it("keeps internal commands out of package.json", () => {
    for (const command of internal) {
      assert.ok(command.startsWith("llamaAssist."), command);
      assert.ok(!registered.has(command), `${command} is both internal and contributed`);
    }
  });

  it("has every menu entry name a registered command or a declared submenu", () => {
    const submenus = new Set(manifest.contributes.submenus.map(({ id }) => id));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      if (menu.startsWith("llamaAssist.")) assert.ok(submenus.has(menu), `menu ${menu} is not a declared submenu`);
      for (const item of items) {
        if (item.submenu !== undefined) assert.ok(submenus.has(item.submenu), `${menu}: submenu ${item.submenu}`);
        else assert.ok(item.command !== undefined && registered.has(item.command), `${menu}: ${item.command}`);
        if (item.alt !== undefined) assert.ok(registered.has(item.alt), `${menu}: alt ${item.alt}`);
      }
    }
  });

  it("binds keys to registered commands or VS Code's own", () => {
    for (const { command } of manifest.contributes.keybindings) {
      assert.ok(registered.has(command) || vscodeCommands.has(command), `keybinding for ${command}`);
    }
  });

  it("links the walkthrough to registered commands", () => {
    for (const step of manifest.contributes.walkthroughs.flatMap(({ steps }) => steps)) {
      const media = step.media.markdown === undefined ? "" : readFileSync(path.join(root, step.media.markdown), "utf8");
      const links = [...`${step.description}\n${media}`.matchAll(/\(command:([\w.-]+)/g)].map(
        ([, command]) => command!,
      );
      const events = (step.completionEvents ?? []).filter((event) => event.startsWith("onCommand:"));
      for (const command of [...links, ...events.map((event) => event.slice("onCommand:".length))]) {
        assert.ok(registered.has(command) || viewFocusCommands.has(command), `walkthrough links to ${command}`);
      }
    }
  });

  it("is the only place in the extension's source that spells a command id", () => {
    const registry = path.join(root, "extension/src/vscode/commandIds.ts");
    const ids = [...registered, ...internal];
    for (const file of sourceFiles(path.join(root, "extension/src"))) {
      if (file === registry) continue;
      const text = readFileSync(file, "utf8");
      for (const id of ids) assert.ok(!text.includes(`"${id}"`), `${path.relative(root, file)} spells "${id}"`);
    }
  });
});

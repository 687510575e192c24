import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "@playwright/test";
import type { Result } from "axe-core";

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core (injected as a script) on the page; returns its violations. */
export default async function runAxe(page: Page): Promise<Result[]> {
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    // @ts-expect-error axe is a global once injected
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations;
  });
}

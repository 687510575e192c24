import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium, never a downloaded browser.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const port = Number(process.env.E2E_PORT ?? 8790);
// The same app with PAYMENT_GATEWAY=stripe (e2e/serve-stripe.sh), and its fake Stripe API.
const stripePort = Number(process.env.E2E_STRIPE_PORT ?? port + 1);
export const fakeStripeApi = `http://127.0.0.1:${Number(process.env.E2E_STRIPE_API_PORT ?? port + 2)}`;
const stripeOnly = /checkout-stripe\.spec\.ts/;
export const mailDir = new URL("./artifacts/mail", import.meta.url).pathname;
const launchOptions = {
  executablePath,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "artifacts/test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions,
    screenshot: "only-on-failure",
    trace: "off",
  },
  projects: [
    { name: "setup", testMatch: /data\.setup\.ts/ },
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], launchOptions },
      testIgnore: stripeOnly,
      dependencies: ["setup"],
    },
    {
      name: "phone",
      use: { ...devices["Pixel 7"], launchOptions },
      grep: /@phone/,
      testIgnore: stripeOnly,
      dependencies: ["setup"],
    },
    {
      name: "stripe-setup",
      testMatch: /data\.setup\.ts/,
      use: { baseURL: `http://127.0.0.1:${stripePort}` },
    },
    {
      name: "stripe",
      testMatch: stripeOnly,
      use: { ...devices["Desktop Chrome"], launchOptions, baseURL: `http://127.0.0.1:${stripePort}` },
      dependencies: ["stripe-setup"],
    },
  ],
  webServer: [
    {
      command: `E2E_PORT=${port} E2E_MAIL_DIR=${mailDir} sh e2e/serve.sh`,
      url: `http://127.0.0.1:${port}/health`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `E2E_PORT=${stripePort} E2E_STRIPE_API_PORT=${new URL(fakeStripeApi).port} sh e2e/serve-stripe.sh`,
      url: `http://127.0.0.1:${stripePort}/health`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});

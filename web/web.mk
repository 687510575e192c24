# The customer web app (web/): `make demo` builds it when the build is missing or stale,
# `make test` builds it and runs its checks, component tests and browser tests.
WEB_DIR  := web
WEB_SRC  := $(shell find $(WEB_DIR)/src $(WEB_DIR)/index.html $(WEB_DIR)/vite.config.ts \
              $(WEB_DIR)/tsconfig.json $(WEB_DIR)/package.json -type f 2>/dev/null)
CHROMIUM ?= /usr/bin/chromium

.PHONY: web web-test

$(WEB_DIR)/node_modules/.installed: $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_DIR)/dist/index.html: $(WEB_DIR)/node_modules/.installed $(WEB_SRC)
	cd $(WEB_DIR) && npm run --silent build
	touch $@

# Without Node.js the API still runs; the app is then missing (or as last built).
web:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(WEB_DIR)/dist/index.html; \
	else \
		echo "*** Node.js 20+ (npm) not found: the web app is not built (README: prerequisites)"; \
	fi

web-test: install-test
	@command -v npm >/dev/null 2>&1 || { echo "*** Node.js 20+ (npm) is needed for the web tests"; exit 1; }
	$(MAKE) --no-print-directory $(WEB_DIR)/dist/index.html
	cd $(WEB_DIR) && node scripts/gen-api.mjs --check
	cd $(WEB_DIR) && node scripts/bundle-size.mjs
	cd $(WEB_DIR) && npx vitest run
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ]; then \
		apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	fi
	@if [ -x $(CHROMIUM) ]; then \
		cd $(WEB_DIR) && CHROMIUM_PATH=$(CHROMIUM) npx playwright test; \
	else \
		echo ""; echo "*** SKIPPED: browser tests need $(CHROMIUM) (apt-get install chromium, as root) ***"; echo ""; \
	fi

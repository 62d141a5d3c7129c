# rbscron: build and install the binary, its man pages and shell completions.
#   make install PREFIX=/usr/local        (DESTDIR is honoured for packaging)
#   make docs                              regenerate completions/ and man/ after changing the command line
PREFIX ?= /usr/local
CONFIGURATION ?= release
BIN ?= .build/$(CONFIGURATION)/rbscron

BINDIR  = $(DESTDIR)$(PREFIX)/bin
MANDIR  = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR  = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

.PHONY: build install install-files uninstall docs check-docs test

build:
	swift build -c $(CONFIGURATION) --product rbscron

install: build install-files

# Copies an already built binary ($(BIN)) and the generated files; runs no compiler.
install-files:
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 0755 $(BIN) $(BINDIR)/rbscron
	install -m 0644 man/*.1 $(MANDIR)/
	install -m 0644 completions/rbscron.bash $(BASHDIR)/rbscron
	install -m 0644 completions/_rbscron $(ZSHDIR)/_rbscron
	install -m 0644 completions/rbscron.fish $(FISHDIR)/rbscron.fish

uninstall:
	rm -f $(BINDIR)/rbscron $(MANDIR)/rbscron.*1 $(MANDIR)/rbscron.1 $(BASHDIR)/rbscron $(ZSHDIR)/_rbscron $(FISHDIR)/rbscron.fish

docs:
	scripts/generate-docs.sh

check-docs:
	scripts/generate-docs.sh --check

test:
	swift test

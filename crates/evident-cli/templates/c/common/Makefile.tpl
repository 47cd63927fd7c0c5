# Builds {{name}} by hand against the installed Evident C SDK (`libevident.a`, `evident.h` and
# `evident.pc`, from `make install PREFIX=...` in the SDK's directory; put its lib/pkgconfig on
# PKG_CONFIG_PATH). `evident build` does not need this: it compiles the SDK it carries.
#
#     make ZIG=zig WASM_TOOLS=wasm-tools WIT=<the evident:db wit directory>
#
# The core module is linked with Zig's clang for wasm32-wasi as a reactor, then made a component
# with wasm-tools against the evident:db WIT (the world named in guest.json).

ZIG ?= zig
WASM_TOOLS ?= wasm-tools
PKG_CONFIG ?= pkg-config
# The SDK package this guest is written against.
EVIDENT_PACKAGE ?= evident >= {{sdk_package_version}}
WIT ?= wit
WIT_VERSION ?= $(shell $(PKG_CONFIG) --variable=wit_version evident)
WORLD ?= $(shell sed -n 's/.*"world" *: *"\([^"]*\)".*/\1/p' guest.json)

CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -std=gnu17 $(shell $(PKG_CONFIG) --cflags '$(EVIDENT_PACKAGE)')
LDFLAGS := --target=wasm32-wasi -mexec-model=reactor -O2 -Wl,-z,stack-size=1048576
LIBS := $(shell $(PKG_CONFIG) --libs '$(EVIDENT_PACKAGE)')
ifeq ($(WORLD),state-view-basic)
CFLAGS += -DEVIDENT_NO_BATCH
endif
SOURCES := $(wildcard *.c)
BUILD := build

.PHONY: all clean
.DELETE_ON_ERROR:

all: $(BUILD)/{{crate}}.component.wasm

$(BUILD)/{{crate}}.core.wasm: $(SOURCES)
	@mkdir -p $(@D)
	$(ZIG) cc $(LDFLAGS) $(CFLAGS) $(SOURCES) $(LIBS) -o $@

$(BUILD)/{{crate}}.component.wasm: $(BUILD)/{{crate}}.core.wasm
	$(WASM_TOOLS) component embed $(WIT) -w 'evident:db/$(WORLD)@$(WIT_VERSION)' $< -o $(BUILD)/{{crate}}.embedded.wasm
	$(WASM_TOOLS) component new $(BUILD)/{{crate}}.embedded.wasm -o $@

clean:
	rm -rf $(BUILD)

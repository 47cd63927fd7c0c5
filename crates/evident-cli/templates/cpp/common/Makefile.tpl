# Builds {{name}} by hand against the installed Evident C++ SDK (`libevident-cpp.a`,
# `evident.hpp` and `evident-cpp.pc`, over the C SDK: `make install install-cpp PREFIX=...` in
# the C SDK's directory; put its lib/pkgconfig on PKG_CONFIG_PATH). `evident build` does not
# need this: it compiles the SDK it carries.
#
#     make ZIG=zig WASM_TOOLS=wasm-tools WIT=<the evident:db wit directory> \
#         ADAPTER=<wasi_snapshot_preview1.reactor.wasm>
#
# The core module is linked with Zig's clang for wasm32-wasi as a reactor, then made a component
# with wasm-tools against the evident:db WIT (the world named in guest.json), with the WASI
# preview 1 reactor adapter: libc++ imports WASI, so the host runs the component in its deny-all
# WASI mode.

ZIG ?= zig
WASM_TOOLS ?= wasm-tools
PKG_CONFIG ?= pkg-config
# The SDK package this guest is written against.
EVIDENT_PACKAGE ?= evident-cpp >= {{sdk_package_version}}
WIT ?= wit
ADAPTER ?= wasi_snapshot_preview1.reactor.wasm
WIT_VERSION ?= $(shell $(PKG_CONFIG) --variable=wit_version evident)
WORLD ?= $(shell sed -n 's/.*"world" *: *"\([^"]*\)".*/\1/p' guest.json)

CXXFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra $(shell $(PKG_CONFIG) --cflags '$(EVIDENT_PACKAGE)')
LDFLAGS := --target=wasm32-wasi -mexec-model=reactor -O2 -Wl,-z,stack-size=1048576
LIBS := $(shell $(PKG_CONFIG) --libs '$(EVIDENT_PACKAGE)')
ifeq ($(WORLD),state-view-basic)
CXXFLAGS += -DEVIDENT_NO_BATCH
endif
SOURCES := $(wildcard *.cpp)
BUILD := build

.PHONY: all clean
.DELETE_ON_ERROR:

all: $(BUILD)/{{crate}}.component.wasm

$(BUILD)/{{crate}}.core.wasm: $(SOURCES)
	@mkdir -p $(@D)
	$(ZIG) c++ $(LDFLAGS) $(CXXFLAGS) $(SOURCES) $(LIBS) -o $@

$(BUILD)/{{crate}}.component.wasm: $(BUILD)/{{crate}}.core.wasm
	$(WASM_TOOLS) component embed $(WIT) -w 'evident:db/$(WORLD)@$(WIT_VERSION)' $< -o $(BUILD)/{{crate}}.embedded.wasm
	$(WASM_TOOLS) component new $(BUILD)/{{crate}}.embedded.wasm \
	    --adapt wasi_snapshot_preview1=$(ADAPTER) -o $@

clean:
	rm -rf $(BUILD)

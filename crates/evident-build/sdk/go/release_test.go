package evident

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The SDK names the evident:db release nowhere: every import and export of an evident:db
// interface carries EVIDENT_WIT_VERSION, which evident-build replaces with the release of the
// WIT it builds against (//go:wasmimport and //go:wasmexport take only literal names).
func TestImportAndExportNamesCarryTheReleaseToken(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for number, line := range strings.Split(string(text), "\n") {
			if !strings.HasPrefix(line, "//go:wasmimport evident:db/") &&
				!strings.HasPrefix(line, "//go:wasmexport evident:db/") &&
				!strings.HasPrefix(line, "//go:wasmexport cabi_post_evident:db/") {
				continue
			}
			named++
			if !strings.Contains(line, "@EVIDENT_WIT_VERSION ") && !strings.Contains(line, "@EVIDENT_WIT_VERSION#") {
				t.Errorf("%s:%d names a release: %s", file, number+1, line)
			}
		}
	}
	if named == 0 {
		t.Fatal("no evident:db import or export found")
	}
}

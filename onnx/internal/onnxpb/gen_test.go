package onnxpb

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// header returns the value of the generated file's header line that starts
// with prefix, or "".
func header(t *testing.T, file []byte, prefix string) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "package ") {
			break
		}
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
	}
	return ""
}

// TestGenerated checks that onnx.proto3.pb.go was generated from this
// onnx.proto3: always by the checksum in its header, and by regenerating
// it when protoc and the recorded protoc-gen-go version are installed.
func TestGenerated(t *testing.T) {
	proto, err := os.ReadFile("onnx.proto3")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile("onnx.proto3.pb.go")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(proto)
	got := header(t, gen, "// onnx.proto3 sha256:")
	if want := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("onnx.proto3.pb.go records onnx.proto3 sha256 %q, but the file's is %q: run gen.sh", got, want)
	}

	if _, err := exec.LookPath("protoc"); err != nil {
		t.Skip("protoc not installed: checked the checksum only")
	}
	plugin, err := exec.LookPath("protoc-gen-go")
	if err != nil {
		t.Skip("protoc-gen-go not on PATH: checked the checksum only")
	}
	v, err := exec.Command(plugin, "--version").Output()
	if err != nil {
		t.Fatalf("protoc-gen-go --version: %v", err)
	}
	want := header(t, gen, "// \tprotoc-gen-go")
	if have := strings.TrimPrefix(strings.TrimSpace(string(v)), "protoc-gen-go "); have != want {
		t.Skipf("protoc-gen-go is %s, the file was made with %s: checked the checksum only", have, want)
	}
	dir := t.TempDir()
	if out, err := exec.Command("sh", "gen.sh", dir).CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, out)
	}
	regen, err := os.ReadFile(filepath.Join(dir, "onnx.proto3.pb.go"))
	if err != nil {
		t.Fatal(err)
	}
	// protoc's own version only shows in a comment.
	if strip(regen) != strip(gen) {
		t.Fatal("onnx.proto3.pb.go differs from what gen.sh makes of onnx.proto3: run gen.sh")
	}
}

// strip drops the header line naming protoc's version.
func strip(b []byte) string {
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "// \tprotoc ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

package data

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// decodeProblem reads back the prompt and the answer tokens of sample i.
func decodeProblem(ds *Dataset, i int) (prompt, answer string) {
	T := ds.Features()
	x, y := ds.X.Data()[i*T:(i+1)*T], ds.Y.Data()[i*T:(i+1)*T]
	var p, a []int
	for j := range x {
		if y[j] == IgnoreTarget {
			if len(a) == 0 {
				p = append(p, int(x[j]))
			}
			continue
		}
		if len(a) == 0 {
			p = append(p, int(x[j]))
		}
		a = append(a, int(y[j]))
	}
	return ds.Vocab.Decode(p), ds.Vocab.Decode(a)
}

func TestSeqTask(t *testing.T) {
	for _, task := range SeqTasks() {
		o := SeqTaskOptions{Task: task, Digits: 4, MinDigits: 2, Size: 300, Valid: 100, Seed: 3}
		if task == "add" {
			o.MinDigits = 0 // add's problems all have Digits digits
		}
		train, valid, err := SeqTask(o)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i := 0; i < train.Len(); i++ {
			p, _ := decodeProblem(train, i)
			seen[p] = true
		}
		for _, ds := range []*Dataset{train, valid} {
			for i := 0; i < ds.Len(); i++ {
				p, a := decodeProblem(ds, i)
				if !strings.HasSuffix(a, ".") {
					t.Fatalf("%s sample %d: answer %q does not end with the end mark", task, i, a)
				}
				a = strings.TrimSuffix(a, ".")
				digits := strings.TrimSuffix(p, "=")
				var want string
				switch task {
				case "add":
					l, r, _ := strings.Cut(digits, "+")
					want = reverseString(fmtSum(l, r))
				case "reverse":
					want = reverseString(digits)
				case "sort":
					want = sortString(digits)
				}
				if a != want {
					t.Fatalf("%s: %q → %q, want %q", task, p, a, want)
				}
				if ds == valid && seen[p] {
					t.Fatalf("%s: held-out problem %q is also in training", task, p)
				}
			}
		}
	}
	if _, _, err := SeqTask(SeqTaskOptions{Task: "add", Digits: 1, Size: 90, Valid: 10}); err == nil || !strings.Contains(err.Error(), "only 100 distinct") {
		t.Errorf("too many problems: got %v", err)
	}
	if _, _, err := SeqTask(SeqTaskOptions{Task: "mul", Size: 9}); err == nil || !strings.Contains(err.Error(), `unknown task "mul"`) {
		t.Errorf("unknown task: got %v", err)
	}
}

func reverseString(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func sortString(s string) string {
	var counts [10]int
	for _, c := range s {
		counts[c-'0']++
	}
	var b strings.Builder
	for d, n := range counts {
		b.WriteString(strings.Repeat(string(rune('0'+d)), n))
	}
	return b.String()
}

// fmtSum adds two digit strings digit by digit, independently of
// AddAnswer, and pads the sum to one digit more than the addends.
func fmtSum(a, b string) string {
	out := make([]byte, len(a)+1)
	carry := 0
	for i := len(a) - 1; i >= 0; i-- {
		s := int(a[i]-'0') + int(b[i]-'0') + carry
		out[i+1], carry = byte('0'+s%10), s/10
	}
	out[0] = byte('0' + carry)
	return string(out)
}

// goSource returns a directory of the Go standard library's source, real
// text that every machine with Go has.
func goSource(t *testing.T, pkg string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "src", pkg)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Go source: %v", err)
	}
	return dir
}

func TestReadTextGoSource(t *testing.T) {
	dir := goSource(t, "bufio")
	train, valid, err := ReadText(TextOptions{Paths: []string{dir}, Pattern: "*.go", BlockSize: 32, Validation: 0.25, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if train.Vocab != valid.Vocab || train.Vocab.Size() < 60 {
		t.Fatalf("vocabulary: %d characters, shared %v", train.Vocab.Size(), train.Vocab == valid.Vocab)
	}
	// Y is X shifted by one, within a sample and across the stride.
	for _, ds := range []*Dataset{train, valid} {
		x, y := ds.X.Data(), ds.Y.Data()
		for i := 0; i+1 < len(x); i++ {
			if (i+1)%32 != 0 && y[i] != x[i+1] {
				t.Fatalf("y[%d] = %v, want x[%d] = %v", i, y[i], i+1, x[i+1])
			}
		}
	}
	// Held out by file: the validation text is one or more whole files
	// that the training text does not contain.
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	trainText := textOf(train)
	validText := textOf(valid)
	held := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		head := string(b[:min(len(b), 200)])
		inTrain, inValid := strings.Contains(trainText, head), strings.Contains(validText, head)
		if inTrain == inValid {
			t.Errorf("%s: in training %v, in validation %v; want exactly one", f, inTrain, inValid)
		}
		if inValid {
			held++
		}
	}
	if want := int(0.25*float64(len(files)) + 0.5); held != want {
		t.Errorf("%d files held out, want %d of %d", held, want, len(files))
	}
	ids, err := train.Vocab.Encode("func (b *Reader)")
	if err != nil || train.Vocab.Decode(ids) != "func (b *Reader)" {
		t.Errorf("round trip: %v %v", ids, err)
	}
	if _, err := train.Vocab.Encode("ünïcode ☃"); err == nil || !strings.Contains(err.Error(), "not in the vocabulary") {
		t.Errorf("unknown character: got %v", err)
	}
}

func textOf(ds *Dataset) string {
	T := ds.Features()
	x := ds.X.Data()
	ids := make([]int, 0, len(x))
	for i := 0; i < ds.Len(); i++ {
		for _, v := range x[i*T : (i+1)*T] {
			ids = append(ids, int(v))
		}
	}
	return ds.Vocab.Decode(ids)
}

func TestReadTextErrors(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	os.WriteFile(f, []byte("hello"), 0o644)
	cases := []struct {
		o    TextOptions
		want string
	}{
		{TextOptions{Paths: []string{f}, BlockSize: 8}, "fewer than block_size + 1 = 9"},
		{TextOptions{Paths: []string{f}, BlockSize: 2, Validation: 0.5}, "leaves none to train on"},
		{TextOptions{Paths: []string{filepath.Join(dir, "*.md")}, BlockSize: 2}, "matches no file"},
		{TextOptions{Paths: []string{f}, BlockSize: 2, Tokenizer: "bpe"}, `tokenizer "bpe"`},
		{TextOptions{Paths: []string{dir}, Pattern: "*.go", BlockSize: 2}, `holds no file matching "*.go"`},
	}
	for _, c := range cases {
		_, _, err := ReadText(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error containing %q", c.o, err, c.want)
		}
	}
	train, _, err := ReadText(TextOptions{Paths: []string{f}, BlockSize: 2, Tokenizer: "byte", Stride: 1})
	if err != nil || train.Len() != 3 || train.Vocab.Size() != 256 || train.X.At(1, 0) != 'e' {
		t.Errorf("byte tokenizer, stride 1: %v samples, %v", train.Len(), err)
	}
}

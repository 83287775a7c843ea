package data

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseCSVErrors(t *testing.T) {
	reg := CSVOptions{Features: []string{"x1", "x2"}, Targets: []string{"y"}}
	tests := []struct {
		name string
		in   string
		opts CSVOptions
		want string
	}{
		{"ragged", "x1,x2,x3,y\n1,2,3,4\n1,2,3\n", CSVOptions{Targets: []string{"y"}},
			"train.csv:3: 3 fields, want 4 (header has 4)"},
		{"ragged long", "x1,x2,y\n1,2,3\n\n1,2,3,4\n", reg,
			"train.csv:4: 4 fields, want 3 (header has 3)"},
		{"not a number", "x1,x2,y\n1,2,3\n1,abc,3\n", reg,
			`train.csv:3: column "x2": "abc" is not a number`},
		{"not a number in target", "x1,x2,y\n1,2,3\n1,2,three\n", reg,
			`train.csv:3: column "y": "three" is not a number`},
		{"empty cell", "x1,x2,y\n1,,3\n", reg,
			`train.csv:2: column "x2": empty cell, want a number`},
		{"NaN", "x1,x2,y\n1,NaN,3\n", reg,
			`train.csv:2: column "x2": "NaN" is not a finite number`},
		{"Inf", "x1,x2,y\n1,2,-inf\n", reg,
			`train.csv:2: column "y": "-inf" is not a finite number`},
		{"beyond float32", "x1,x2,y\n1e39,2,3\n", reg,
			`train.csv:2: column "x1": "1e39" is out of float32's range`},
		{"missing column", "x1,x2,y\n1,2,3\n", CSVOptions{Features: []string{"x1", "x3"}, Targets: []string{"y"}},
			`train.csv: no column "x3" (did you mean "x1"?); columns are x1, x2, y`},
		{"missing column, no suggestion", "x1,x2,y\n1,2,3\n", CSVOptions{Features: []string{"height"}, Targets: []string{"y"}},
			`train.csv: no column "height"; columns are x1, x2, y`},
		{"missing column, case", "Sepal,Petal,Species\n1,2,a\n", CSVOptions{Label: "species"},
			`train.csv: no column "species" (did you mean "Species"?); columns are Sepal, Petal, Species`},
		{"missing label, odd header names", "x 1,\"a,b\",\n1,2,3\n", CSVOptions{Label: "y"},
			`train.csv: no column "y"; columns are x 1, "a,b", ""`},
		{"empty file", "", reg, "train.csv: empty file, want a header row"},
		{"blank lines only", "\n\r\n\n", reg, "train.csv: empty file, want a header row"},
		{"header only", "x1,x2,y\n", reg, "train.csv: no data rows after the header"},
		{"header and blank rows", "x1,x2,y\r\n,,\r\n\r\n", reg, "train.csv: no data rows after the header"},
		{"bare quote", "x1,x2,y\n1,2\"x,3\n", reg, "train.csv:2:4: bare \" in non-quoted-field"},
		{"unterminated quote", "x1,x2,y\n1,\"2,3\n", reg, "train.csv:2:8: extraneous or missing \" in quoted-field"},
		{"targets and label", "x1,y\n1,2\n", CSVOptions{Targets: []string{"y"}, Label: "y"},
			"train.csv: options name both targets and a label column, want one"},
		{"feature is target", "x1,y\n1,2\n", CSVOptions{Features: []string{"x1", "y"}, Targets: []string{"y"}},
			`train.csv: column "y" is both a target and a feature`},
		{"feature twice", "x1,y\n1,2\n", CSVOptions{Features: []string{"x1", "x1"}, Targets: []string{"y"}},
			`train.csv: column "x1" is listed twice as a feature`},
		{"duplicate header", "x,x,y\n1,2,3\n", CSVOptions{Targets: []string{"y"}},
			`train.csv: column "x" appears 2 times in the header (fields 1, 2)`},
		{"duplicate chosen", "x,x,y\n1,2,3\n", CSVOptions{Features: []string{"x"}, Targets: []string{"y"}},
			`train.csv: column "x" appears 2 times in the header (fields 1, 2)`},
		{"no features left", "y\n1\n", CSVOptions{Targets: []string{"y"}},
			"train.csv: no feature columns left; columns are y"},
		{"empty label", "x,label\n1,cat\n2, \n", CSVOptions{Label: "label"},
			`train.csv:3: column "label": empty cell, want a class`},
		{"bad separator", "x,y\n1,2\n", CSVOptions{Comma: '"'},
			`train.csv: field separator '"' is not allowed`},
		{"long cell shortened", "x\n" + strings.Repeat("z", 100) + "\n", CSVOptions{},
			`train.csv:2: column "x": "` + strings.Repeat("z", 40) + `…" is not a number`},
		{"newline in name", "\"a\nb\",y\n1,2\n", CSVOptions{Features: []string{"x"}},
			`train.csv: no column "x"; columns are "a\nb", y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ParseCSV(strings.NewReader(tt.in), "train.csv", tt.opts)
			if err == nil {
				t.Fatalf("ParseCSV = %+v, nil; want error %q", ds, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseCSV error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseCSVFormats(t *testing.T) {
	want := []float32{1, 2, 3, 4.5, -5, 6}
	tests := []struct {
		name, in string
	}{
		{"plain", "x1,x2,y\n1,2,3\n4.5,-5,6\n"},
		{"BOM", "\xef\xbb\xbfx1,x2,y\n1,2,3\n4.5,-5,6\n"},
		{"CRLF", "x1,x2,y\r\n1,2,3\r\n4.5,-5,6\r\n"},
		{"no final newline", "x1,x2,y\n1,2,3\n4.5,-5,6"},
		{"blank trailing lines", "x1,x2,y\n1,2,3\n4.5,-5,6\n\n\n\r\n"},
		{"blank spreadsheet rows", "x1,x2,y\n1,2,3\n,,\n4.5,-5,6\n, ,\n"},
		{"quoted fields", "\"x1\",\"x2\",\"y\"\n\"1\",2,\"3\"\n4.5,\"-5\",6\n"},
		{"spaces", " x1 , x2 ,y\n 1, 2 ,3\n4.5 ,-5, 6\n"},
		{"columns reordered", "y,x2,x1\n3,2,1\n6,-5,4.5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ParseCSV(strings.NewReader(tt.in), "t.csv", CSVOptions{Features: []string{"x1", "x2"}, Targets: []string{"y"}})
			if err != nil {
				t.Fatal(err)
			}
			got := append(append([]float32(nil), ds.X.Data()...), ds.Y.Data()...)
			if w := []float32{want[0], want[1], want[3], want[4], want[2], want[5]}; !reflect.DeepEqual(got, w) {
				t.Errorf("X then Y = %v, want %v", got, w)
			}
			if !reflect.DeepEqual(ds.FeatureNames, []string{"x1", "x2"}) || !reflect.DeepEqual(ds.TargetNames, []string{"y"}) {
				t.Errorf("names = %q, %q", ds.FeatureNames, ds.TargetNames)
			}
		})
	}
}

func TestParseCSVSeparator(t *testing.T) {
	ds, err := ParseCSV(strings.NewReader("a;b\n1,5;2\n"), "t.csv", CSVOptions{Comma: ';', Targets: []string{"b"}})
	if err == nil {
		t.Fatalf("decimal comma accepted: %v", ds.X)
	}
	ds, err = ParseCSV(strings.NewReader("a\tb\n1.5\t2\n"), "t.tsv", CSVOptions{Comma: '\t', Targets: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ds.X.Data(); got[0] != 1.5 {
		t.Errorf("X = %v, want [1.5]", got)
	}
}

func TestParseCSVLabels(t *testing.T) {
	iris := CSVOptions{Classes: []string{"setosa", "versicolor", "virginica"}}
	tests := []struct {
		name        string
		in          string
		opts        CSVOptions
		wantLabels  []int
		wantClasses []string
	}{
		{"names sorted", "x,species\n1,versicolor\n2,setosa\n3,virginica\n4,setosa\n", CSVOptions{},
			[]int{1, 0, 2, 0}, []string{"setosa", "versicolor", "virginica"}},
		// Without a class count, integers are names too: labels 1, 2, 3
		// are three classes, not indices that would need four outputs.
		{"integers are names", "x,digit\n1,3\n2,1\n3, 2 \n", CSVOptions{}, []int{2, 0, 1}, []string{"1", "2", "3"}},
		{"numbers sort as numbers", "x,t\n1,10\n2,9\n3,144.0\n4,-1\n", CSVOptions{}, []int{2, 1, 3, 0}, []string{"-1", "9", "10", "144.0"}},
		{"with a class count, integers are indices", "x,digit\n1,3\n2,0\n3, 1 \n", CSVOptions{NumClasses: 4}, []int{3, 0, 1}, nil},
		{"with a class count, names are names", "x,t\n1,b\n2,a\n", CSVOptions{NumClasses: 3}, []int{1, 0}, []string{"a", "b"}},
		{"signed numbers are names", "x,t\n1,-1\n2,1\n3,-1\n", CSVOptions{}, []int{0, 1, 0}, []string{"-1", "1"}},
		{"mixed numbers and names", "x,t\n1,2\n2,cat\n", CSVOptions{}, []int{0, 1}, []string{"2", "cat"}},
		{"quoted names with commas", "x,t\n1,\"b,c\"\n2,a\n", CSVOptions{}, []int{1, 0}, []string{"a", "b,c"}},
		// The known classes number the labels, whatever the file holds.
		{"known classes, one present", "x,species\n1,virginica\n2,virginica\n", iris, []int{2, 2}, iris.Classes},
		{"known classes, two present", "x,species\n1,virginica\n2,setosa\n", iris, []int{2, 0}, iris.Classes},
		{"known numeric classes match by value", "x,t\n1,1.0\n2,3\n", CSVOptions{Classes: []string{"1", "2", "3"}}, []int{0, 2}, []string{"1", "2", "3"}},
		{"known index classes", "x,t\n1,2\n2,0\n", CSVOptions{Classes: []string{"0", "1", "2"}}, []int{2, 0}, []string{"0", "1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label := strings.SplitN(strings.SplitN(tt.in, "\n", 2)[0], ",", 2)[1]
			opts := tt.opts
			opts.Label = label
			ds, err := ParseCSV(strings.NewReader(tt.in), "t.csv", opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ds.Labels, tt.wantLabels) || !reflect.DeepEqual(ds.Classes, tt.wantClasses) {
				t.Errorf("labels, classes = %v, %q; want %v, %q", ds.Labels, ds.Classes, tt.wantLabels, tt.wantClasses)
			}
			if ds.Y != nil || ds.Features() != 1 || ds.TargetNames[0] != label {
				t.Errorf("dataset = %+v", ds)
			}
			if err := ds.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestParseCSVLabelErrors(t *testing.T) {
	iris := []string{"setosa", "versicolor", "virginica"}
	tests := []struct {
		name, in string
		opts     CSVOptions
		want     string
	}{
		// A typo four data rows down is named at its own line (5), with
		// the known classes, not as some other row's class number.
		{"unknown class", "x,species\n1,setosa\n2,virginica\n3,setosa\n4,setosa_typo\n", CSVOptions{Label: "species", Classes: iris},
			`t.csv:5: column "species": unknown class "setosa_typo"; allowed: setosa, versicolor, virginica`},
		{"unknown class, close", "x,species\n1,setosa\n\n2,virginca\n", CSVOptions{Label: "species", Classes: iris},
			`t.csv:4: column "species": unknown class "virginca" (did you mean "virginica"?); allowed: setosa, versicolor, virginica`},
		{"unknown before bad number", "x,species\n1,cat\nz,setosa\n", CSVOptions{Label: "species", Classes: iris},
			`t.csv:2: column "species": unknown class "cat"; allowed: setosa, versicolor, virginica`},
		{"index out of range", "x,y\n1,0\n2,1\n3,3\n", CSVOptions{Label: "y", NumClasses: 3},
			`t.csv:4: column "y": class index "3" is out of range; with 3 classes, indices are 0 to 2`},
		{"indices and names mixed", "x,y\n1,0\n2,cat\n3,1\n", CSVOptions{Label: "y", NumClasses: 2},
			`t.csv:3: column "y": label "cat" is a name, but line 2 has the class index "0"; with 2 classes given, labels are either all indices (0 to 1) or all names`},
		{"a decimal among indices", "x,y\n1,0\n2,1.0\n", CSVOptions{Label: "y", NumClasses: 2},
			`t.csv:3: column "y": label "1.0" is a name, but line 2 has the class index "0"; with 2 classes given, labels are either all indices (0 to 1) or all names`},
		{"too many names", "x,y\n1,a\n2,b\n3,c\n", CSVOptions{Label: "y", NumClasses: 2},
			`t.csv: column "y" has 3 distinct labels (a, b, c), more than the 2 classes given`},
		{"one number two ways", "x,y\n1,144\n2,7\n3,144.0\n", CSVOptions{Label: "y"},
			`t.csv:4: column "y": label "144.0" is the number of line 2's "144" written another way; write each class one way`},
		{"one index two ways", "x,y\n1,01\n2,1\n", CSVOptions{Label: "y", NumClasses: 2},
			`t.csv:3: column "y": label "1" is the number of line 2's "01" written another way; write each class one way`},
		{"quoted label over two lines", "x,y\n1,a\n2,\"b\nc\"\n", CSVOptions{Label: "y", Classes: []string{"a"}},
			`t.csv:3: column "y": unknown class "b\nc"; allowed: a`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ParseCSV(strings.NewReader(tt.in), "t.csv", tt.opts)
			if err == nil {
				t.Fatalf("ParseCSV = %v %q, nil; want error %q", ds.Labels, ds.Classes, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseCSV error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestReadCSVText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte("id,x,name\n7,1,\"a, b\"\n,,\n8,2,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSVText(path, []string{"name", "id"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"a, b", "7"}, {"c", "8"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ReadCSVText = %q, want %q", got, want)
	}
	ds, err := ReadCSV(path, CSVOptions{Features: []string{"x"}})
	if err != nil || ds.Len() != len(got) {
		t.Errorf("ReadCSV gives %d rows (%v), ReadCSVText %d", ds.Len(), err, len(got))
	}
	if _, err := ReadCSVText(path, []string{"ID"}, 0); err == nil || !strings.Contains(err.Error(), `no column "ID"`) {
		t.Errorf("missing column: %v", err)
	}
}

func TestParseCSVAutoFeatures(t *testing.T) {
	// An unnamed first column, as pandas writes its index, is left out.
	in := ",a,label,b\n0,1,x,2\n1,3,y,4\n"
	ds, err := ParseCSV(strings.NewReader(in), "t.csv", CSVOptions{Label: "label"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ds.FeatureNames, []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("features = %q, want %q", got, want)
	}
	if got, want := ds.X.Data(), []float32{1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("X = %v, want %v", got, want)
	}
	// Without targets or a label, every column is a feature.
	ds, err = ParseCSV(strings.NewReader("a,b\n1,2\n"), "t.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Y != nil || ds.Labels != nil || ds.Features() != 2 {
		t.Errorf("dataset = %+v", ds)
	}
}

func TestReadCSVFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.csv")
	if err := os.WriteFile(path, []byte("x,y\n1,2\n3,oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCSV(path, CSVOptions{Targets: []string{"y"}})
	if got, want := err.Error(), path+`:3: column "y": "oops" is not a number`; got != want {
		t.Errorf("ReadCSV error = %s, want %s", got, want)
	}
	_, err = ReadCSV(filepath.Join(t.TempDir(), "nope.csv"), CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope.csv") {
		t.Errorf("ReadCSV of a missing file: %v", err)
	}
	ds, err := ReadCSV(filepath.Join("testdata", "xor.csv"), CSVOptions{Label: "label"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 4 || ds.Features() != 2 || !reflect.DeepEqual(ds.Labels, []int{0, 1, 1, 0}) {
		t.Errorf("xor.csv = %v %v", ds.X, ds.Labels)
	}
}

func TestEncodeLabels(t *testing.T) {
	labels, classes := EncodeLabels([]string{"dog", "cat", "dog", "bird"})
	if !reflect.DeepEqual(labels, []int{2, 1, 2, 0}) || !reflect.DeepEqual(classes, []string{"bird", "cat", "dog"}) {
		t.Errorf("EncodeLabels = %v, %q", labels, classes)
	}
	labels, classes = EncodeLabels([]string{"10", "9", "10"})
	if !reflect.DeepEqual(labels, []int{1, 0, 1}) || !reflect.DeepEqual(classes, []string{"9", "10"}) {
		t.Errorf("EncodeLabels of numbers = %v, %q", labels, classes)
	}
}

func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"x1,x2,y\n1,2,3\n4,5,6\n",
		"\xef\xbb\xbfx1,x2,y\r\n1,2,3\r\n",
		"x1,x2,y\n1,2\n",
		"x1,x2,y\n1,abc,3\n",
		"x1,x2,y\nNaN,1,2\n",
		"x1,x2,y\n",
		"",
		"\"x1\",\"x\"\"2\",y\n\"1\",2,\"3\"\n\n\n",
		"x1,x2,label\n1,2,cat\n3,4,dog\n5,6,cat\n",
		"x1,x2,label\n1,2,0\n3,4,65535\n",
		"x1,x1,y\n1,2,3\n",
		",,\n,,\n",
		"x1,x2,y\n1,\"2\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i%6))
	}
	f.Fuzz(func(t *testing.T, in []byte, mode uint8) {
		var opts CSVOptions
		switch mode % 6 {
		case 0:
			opts = CSVOptions{Features: []string{"x1", "x2"}, Targets: []string{"y"}}
		case 1:
			opts = CSVOptions{Label: "label"}
		case 2:
			opts = CSVOptions{Targets: []string{"y"}}
		case 3:
			opts = CSVOptions{}
		case 4:
			opts = CSVOptions{Label: "label", NumClasses: 3}
		case 5:
			opts = CSVOptions{Label: "label", Classes: []string{"cat", "dog", "1"}}
		}
		ds, err := ParseCSV(bytes.NewReader(in), "fuzz.csv", opts)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "fuzz.csv") {
				t.Fatalf("error is not one line starting with the file name: %q", msg)
			}
			return
		}
		if err := ds.Validate(); err != nil {
			t.Fatalf("ParseCSV returned an invalid dataset: %v", err)
		}
		if ds.Len() == 0 {
			t.Fatal("ParseCSV returned no rows without an error")
		}
		for _, v := range ds.X.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite feature %v", v)
			}
		}
		if ds.Labels != nil {
			for _, l := range ds.Labels {
				if l < 0 || l >= ds.NumClasses() || (opts.NumClasses > 0 && l >= opts.NumClasses) || (opts.Classes != nil && l >= len(opts.Classes)) {
					t.Fatalf("label %d of %d classes", l, ds.NumClasses())
				}
			}
		}
	})
}

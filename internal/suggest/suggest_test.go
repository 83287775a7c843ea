package suggest

import (
	"fmt"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"relu", "relu", 0}, {"rleu", "relu", 2}, {"relu", "relu6", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q): got %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"relu", "selu", "elu", "tanh"}
	if got := Closest("reluu", names); got != "relu" {
		t.Errorf("got %q, want relu", got)
	}
	if got := Closest("softmax", names); got != "" {
		t.Errorf("got %q, want none", got)
	}
}

func ExampleDidYouMean() {
	fmt.Println("unknown activation \"tahn\"" + DidYouMean("tahn", []string{"relu", "tanh", "sigmoid"}))
	// Output: unknown activation "tahn" (did you mean "tanh"?)
}

func TestCaseAndRunes(t *testing.T) {
	if got := Closest("LeakyReLU", []string{"relu", "leaky_relu"}); got != "leaky_relu" {
		t.Errorf("got %q, want leaky_relu", got)
	}
	if got := Distance("große", "grosse"); got != 2 {
		t.Errorf("Distance in runes: got %d, want 2", got)
	}
}

func TestNoSuggestionForUnrelatedShortNames(t *testing.T) {
	// Two edits turn "ab" into "xy"; that is no hint.
	if got := Closest("ab", []string{"xy"}); got != "" {
		t.Errorf("got %q, want none", got)
	}
	long := strings.Repeat("a", 100)
	if got := Closest(long, []string{long + "b"}); got != "" {
		t.Errorf("long names compared: got %q", got)
	}
}

package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/plot"
)

func main() {
	dir := flag.String("dir", "/tmp/lm", "folder holding bigfunc.csv and torch.csv")
	out := flag.String("o", "docs/gostd_loss.png", "image to write (.png, .svg or .pdf)")
	flag.Parse()
	ch := &plot.Chart{Title: "Go standard library, char level: validation loss", XLabel: "training step", YLabel: "nats per character", Legend: plot.TopRight}
	for _, side := range []struct{ file, label string }{{"bigfunc.csv", "bigfunc"}, {"torch.csv", "PyTorch 1.13"}} {
		xs, ys, err := readCurve(filepath.Join(*dir, side.file))
		if err != nil {
			log.Fatal(err)
		}
		c := plot.Curve{Label: side.label, X: xs, Y: ys}
		if side.label != "bigfunc" {
			c.Dashed = true
		}
		ch.Curves = append(ch.Curves, c)
	}
	fig, err := plot.Charts("", 1, 480, 300, ch)
	if err != nil {
		log.Fatal(err)
	}
	if err := plot.Save(*out, fig); err != nil {
		log.Fatal(err)
	}
}

// readCurve reads the step and valid_loss columns, skipping the header and
// the closing comment line.
func readCurve(path string) (xs, ys []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		t := sc.Text()
		if line == 1 || strings.HasPrefix(t, "#") || t == "" {
			continue
		}
		cols := strings.Split(t, ",")
		if len(cols) < 2 {
			return nil, nil, fmt.Errorf("%s:%d: want step,valid_loss,…, got %q", path, line, t)
		}
		x, err1 := strconv.ParseFloat(cols[0], 64)
		y, err2 := strconv.ParseFloat(cols[1], 64)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("%s:%d: want numbers, got %q", path, line, t)
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	return xs, ys, sc.Err()
}

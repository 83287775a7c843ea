package mnistdata_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bigfunc/bigfunc/data"
	_ "github.com/bigfunc/bigfunc/data/mnistdata"
)

// Importing the package for its effect lets data.MNISTDir, and so a spec's
// `mnist: {}`, find the four files; data.LoadMNIST reads them.
func Example() {
	dir, err := data.MNISTDir()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{data.MNISTTrainImages, data.MNISTTrainLabels, data.MNISTTestImages, data.MNISTTestLabels} {
		_, err := os.Stat(filepath.Join(dir, name+".gz"))
		fmt.Println(name+".gz", err == nil)
	}
	// Output:
	// train-images-idx3-ubyte.gz true
	// train-labels-idx1-ubyte.gz true
	// t10k-images-idx3-ubyte.gz true
	// t10k-labels-idx1-ubyte.gz true
}

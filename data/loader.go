package data

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

// Batch is one mini-batch. Its tensors and slices belong to the Loader and
// are overwritten by the next call to Next: copy what must outlive it.
type Batch struct {
	// X holds the batch's features, shape [rows, features].
	X *tensor.Tensor
	// Y holds the regression targets, shape [rows, outputs], or is nil.
	Y *tensor.Tensor
	// Labels holds the class labels, or is nil.
	Labels []int
	// Rows holds the dataset row of each batch row.
	Rows []int
}

// Len returns the number of rows in the batch.
func (b Batch) Len() int { return len(b.Rows) }

// Loader serves a dataset's rows in mini-batches, one epoch after another.
//
// Every row appears exactly once per epoch. With an RNG the order is a fresh
// Fisher–Yates shuffle of 0..N-1 at the start of each epoch, so it depends
// only on the RNG's state then: the same seed gives the same batches, and a
// run restored with the RNG's saved state (RNG.MarshalBinary) and the
// loader's (State) goes on with the very batches it would have seen. The
// last batch of an epoch is smaller when the batch size does not divide N;
// it is kept, not dropped.
//
// Compact features (Dataset.Pixels) are decoded to float32 batch by batch,
// so a set of images stays at one byte per pixel. When the dataset carries
// an Augment, each served image is augmented with draws from the loader's
// own RNG, seeded from Augment.Seed and saved in State.
//
// The batch tensors are allocated once, in NewLoader, so Next allocates
// nothing.
type Loader struct {
	x0    []float32 // the dataset's features, or nil when compact
	pix   []byte    // the dataset's compact features
	div   float32   // byte b of pix stands for float32(b) / div
	y0    []float32 // the dataset's targets
	f, o  int       // their widths
	lab0  []int     // the dataset's labels
	size  int
	rng   *tensor.RNG
	order []int
	pos   int
	epoch int
	open  bool

	aug     *Augment
	augRNG  *tensor.RNG
	shape   []int     // the per-sample shape augmentation works on
	scratch []float32 // one sample, the source of each warp

	x, xLast *tensor.Tensor
	y, yLast *tensor.Tensor
	labels   []int
}

// NewLoader returns a loader over ds with the given batch size; 0 (or a
// size of N or more) serves the whole set as one batch. With a nil rng the
// rows come in their stored order every epoch.
//
// The loader keeps the features and targets ds holds now: changes to their
// values show in later batches, but assigning new ones to ds.X, ds.Pixels
// or ds.Y does not.
func NewLoader(ds *Dataset, batchSize int, rng *tensor.RNG) (*Loader, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	if batchSize < 0 {
		return nil, fmt.Errorf("data: batch size %d, want 0 (whole set) or more", batchSize)
	}
	n := ds.Len()
	if batchSize == 0 || batchSize > n {
		batchSize = n
	}
	l := &Loader{size: batchSize, rng: rng, order: make([]int, n), f: ds.Features(), lab0: ds.Labels}
	if ds.X != nil {
		l.x0 = ds.X.Data()
	} else {
		l.pix, l.div = ds.Pixels.Data, ds.Pixels.Divisor
	}
	if a := ds.Augment; a != nil && !a.Off() {
		aug := *a
		l.aug, l.augRNG, l.shape = &aug, tensor.NewRNG(a.Seed^augmentStream), ds.SampleShape()
		l.scratch = make([]float32, l.f)
	}
	last := 0
	if batchSize > 0 {
		last = n % batchSize
	}
	f := ds.Features()
	xbuf := make([]float32, batchSize*f)
	l.x = tensor.New(xbuf, batchSize, f)
	l.xLast = tensor.New(xbuf[:last*f], last, f)
	if ds.Y != nil {
		l.y0, l.o = ds.Y.Data(), ds.Outputs()
		o := l.o
		ybuf := make([]float32, batchSize*o)
		l.y = tensor.New(ybuf, batchSize, o)
		l.yLast = tensor.New(ybuf[:last*o], last, o)
	}
	if ds.Labels != nil {
		l.labels = make([]int, batchSize)
	}
	return l, nil
}

// augmentStream sets the augmentation RNG apart from the other streams
// drawn from the same seed (initial weights, dropout, shuffling).
const augmentStream = 0xa06e_a06e_a06e_a06e

// BatchSize returns the number of rows in a full batch.
func (l *Loader) BatchSize() int { return l.size }

// NumBatches returns the number of batches in an epoch.
func (l *Loader) NumBatches() int {
	if l.size == 0 {
		return 0
	}
	return (len(l.order) + l.size - 1) / l.size
}

// Epoch returns the number of epochs begun: 1 during the first.
func (l *Loader) Epoch() int { return l.epoch }

// Next returns the next batch of the current epoch. After an epoch's last
// batch it returns false once; the call after that begins the next epoch,
// reshuffling. A loop over one epoch is
//
//	for b, ok := l.Next(); ok; b, ok = l.Next() { … }
func (l *Loader) Next() (Batch, bool) {
	if !l.open {
		l.begin()
	}
	n := len(l.order)
	if l.pos >= n {
		l.open = false
		return Batch{}, false
	}
	end := min(l.pos+l.size, n)
	rows := l.order[l.pos:end]
	l.pos = end
	b := Batch{X: l.x, Y: l.y, Rows: rows}
	if len(rows) < l.size {
		b.X, b.Y = l.xLast, l.yLast
	}
	if l.x0 != nil {
		gather(b.X.Data(), l.x0, l.f, rows)
	} else {
		gatherBytes(b.X.Data(), l.pix, l.f, rows, l.div)
	}
	if l.aug != nil {
		x := b.X.Data()
		for i := range rows {
			sample := x[i*l.f : (i+1)*l.f]
			copy(l.scratch, sample)
			l.aug.Draw(l.augRNG, l.shape[len(l.shape)-2], l.shape[len(l.shape)-1]).Apply(sample, l.scratch, l.shape)
		}
	}
	if b.Y != nil {
		gather(b.Y.Data(), l.y0, l.o, rows)
	}
	if l.labels != nil {
		b.Labels = l.labels[:len(rows)]
		for i, r := range rows {
			b.Labels[i] = l.lab0[r]
		}
	}
	return b, true
}

func gather(dst, src []float32, width int, rows []int) {
	for i, r := range rows {
		copy(dst[i*width:(i+1)*width], src[r*width:(r+1)*width])
	}
}

func (l *Loader) begin() {
	for i := range l.order {
		l.order[i] = i
	}
	if l.rng != nil {
		l.rng.Shuffle(l.order)
	}
	l.pos = 0
	l.epoch++
	l.open = true
}

// LoaderState is where a Loader stands, for saving with a checkpoint. The
// RNG is not part of it: its owner saves it with RNG.MarshalBinary.
type LoaderState struct {
	// Epoch is the number of epochs begun.
	Epoch int `json:"epoch"`
	// Pos is the number of rows of the current epoch already served.
	Pos int `json:"pos"`
	// Order is the current epoch's row order, or nil between epochs.
	Order []int `json:"order,omitempty"`
	// AugmentRNG is the state of the augmentation RNG
	// (RNG.MarshalBinary), or nil without augmentation.
	AugmentRNG []byte `json:"augment_rng,omitempty"`
}

// State returns the loader's position.
func (l *Loader) State() LoaderState {
	s := LoaderState{Epoch: l.epoch}
	if l.open {
		s.Pos = l.pos
		s.Order = append([]int(nil), l.order...)
	}
	if l.augRNG != nil {
		// The RNG's state always marshals.
		s.AugmentRNG, _ = l.augRNG.MarshalBinary()
	}
	return s
}

// Restore moves the loader to a position saved by State. It checks that the
// state fits the loader's dataset, and changes nothing when it does not.
func (l *Loader) Restore(s LoaderState) error {
	n := len(l.order)
	if s.Epoch < 0 {
		return fmt.Errorf("data: loader state: epoch %d, want ≥ 0", s.Epoch)
	}
	var aug *tensor.RNG
	if s.AugmentRNG != nil && l.augRNG != nil {
		aug = tensor.NewRNG(0)
		if err := aug.UnmarshalBinary(s.AugmentRNG); err != nil {
			return fmt.Errorf("data: loader state: augmentation RNG: %v", err)
		}
	}
	if s.Order != nil {
		if len(s.Order) != n {
			return fmt.Errorf("data: loader state: order has %d rows, want %d", len(s.Order), n)
		}
		if s.Pos < 0 || s.Pos > n {
			return fmt.Errorf("data: loader state: position %d, want 0 to %d", s.Pos, n)
		}
		seen := make([]bool, n)
		for _, r := range s.Order {
			if r < 0 || r >= n || seen[r] {
				return fmt.Errorf("data: loader state: order is not a permutation of 0..%d", n-1)
			}
			seen[r] = true
		}
	}
	if aug != nil {
		*l.augRNG = *aug
	}
	if s.Order == nil {
		l.epoch, l.pos, l.open = s.Epoch, 0, false
		return nil
	}
	copy(l.order, s.Order)
	l.epoch, l.pos, l.open = s.Epoch, s.Pos, true
	return nil
}

// Command abs is the chapter's first network, |x| = ReLU(x) + ReLU(−x),
// twice: built by hand with the weights the chapter gives, then learned from
// (x, |x|) pairs by networks of the same 1-2-1 shape started from several
// random seeds.
//
// The learned half shows something the hand-built half hides: the shape can
// represent |x| exactly, yet gradient descent from a random start finds it
// only some of the time. When a hidden ReLU starts negative on every
// training point, its gradient is zero and it never recovers (a "dead"
// unit), leaving the net with fewer kinks than |x| needs.
package main

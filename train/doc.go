// Package train joins the five elements: it reads the data a spec names
// (Input), encodes it, builds the network (Architecture), and runs forward
// propagation to the Loss and backward propagation to the Optimizer, epoch
// after epoch, then saves a model file that predicts on its own (Output).
//
// The loop reports loss and, for classification, accuracy on the training
// and validation rows; follows a learning-rate schedule; clips gradients;
// stops early when the monitored loss stops improving; writes checkpoints
// from which a run resumes bit for bit; and stops with an error naming the
// epoch and step when the loss becomes NaN or infinite, keeping the last
// good checkpoint.
//
// With train.init and full-batch steps (batch_size: 0, shuffle: false) the
// run follows PyTorch's trajectory step for step: testdata holds such runs,
// made by PyTorch 1.13 for every optimizer, and the tests replay them.
package train

/* The NEURON version, printed in the boot banner. */
#ifndef NEURON_VERSION_H
#define NEURON_VERSION_H

#define NEURON_VERSION "0.1.0"

#endif

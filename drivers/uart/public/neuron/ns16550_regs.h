/*
 * The NS16550A UART's registers: offsets from its base, one byte each (the
 * QEMU `virt` board and most SoCs space them one byte apart; a board with
 * wider spacing scales the offset in its accessor, ns16550.h). Only what the
 * console driver uses is named here; the divisor latch is left as firmware
 * or the kernel's early console set it, so the driver needs no clock rate.
 */
#ifndef NEURON_NS16550_REGS_H
#define NEURON_NS16550_REGS_H

/* Offsets. RBR and THR share offset 0: reads take a byte, writes send one. */
#define NS16550_RBR 0u /* receiver buffer (read) */
#define NS16550_THR 0u /* transmitter holding register (write) */
#define NS16550_IER 1u /* interrupt enable */
#define NS16550_FCR 2u /* FIFO control (write; reads give IIR) */
#define NS16550_LCR 3u /* line control */
#define NS16550_MCR 4u /* modem control */
#define NS16550_LSR 5u /* line status */

/* IER: which events raise the interrupt line. */
#define NS16550_IER_RX_AVAILABLE 0x01u /* received data available */

/* FCR: the FIFOs on, both emptied, an interrupt from the first byte on (the
 * trigger level bits 7..6 left 0), so a typed key is seen at once. */
#define NS16550_FCR_ENABLE 0x01u
#define NS16550_FCR_CLEAR_RX 0x02u
#define NS16550_FCR_CLEAR_TX 0x04u

/* LCR: 8 data bits, no parity, 1 stop bit; bit 7 (divisor latch access) 0,
 * so offsets 0 and 1 stay RBR/THR and IER. */
#define NS16550_LCR_8N1 0x03u

/* MCR: DTR and RTS asserted for the other end; OUT2 gates the interrupt
 * line to the interrupt controller on PC-style boards (without it no
 * interrupt arrives there; elsewhere it is ignored). Loopback stays off. */
#define NS16550_MCR_DTR 0x01u
#define NS16550_MCR_RTS 0x02u
#define NS16550_MCR_OUT2 0x08u

/* LSR: what the line holds. */
#define NS16550_LSR_DATA_READY 0x01u /* RBR (the RX FIFO) holds a byte */
#define NS16550_LSR_THR_EMPTY 0x20u  /* THR (the TX FIFO) can take a byte */

#endif

/*
 * A device interrupt reaches a user thread (bin/irq_test): the UART's
 * registers (start->uart, mapped here) and its interrupt line
 * (start->uart_irq) are bound to a notification bit; enabling the 16550's
 * "transmitter holding register empty" interrupt makes the UART raise its
 * line at once (its THR is empty), and the kernel delivers it as the bit.
 * Proves:
 * - the bit arrives within a deadline (the wait returns exactly that bit);
 * - once the driver quiets the device (reads IIR, restores IER) and acks,
 *   no further interrupt arrives: the next wait times out.
 * - a binding ends with the task that made it: app/irq_child binds the line
 *   and is killed; the line can then be bound here, and nothing stays
 *   charged to the dead child (its notification was freed).
 * The kernel writes the same UART (polling LSR, never IER), so the
 * interaction is short and IER goes back to its old value.
 */
#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "irq_test"
#define UART_VA 0x1000000000ul
#define UART_IER 1
#define UART_IIR 2
#define IER_THRE 0x02   /* transmitter holding register empty */
#define IIR_NO_INT 0x01 /* no interrupt pending */
#define IIR_ID_MASK 0x0e
#define IIR_THRE 0x02 /* the pending one is "THR empty" */
#define BIT (1ull << 3)
#define MS 1000000ull

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  if (!start->uart || !start->uart_irq) {
    t_say(P ": FAILED: no UART handles\n");
    return 1;
  }
  if (t_expect(P, "map the UART",
               nx_vmo_map(start->uart, UART_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_WRITE),
               NX_OK) == 0) {
    return 1;
  }
  volatile uint8_t *uart = (volatile uint8_t *)UART_VA;
  /* A driver that dies with the line bound (a crash a supervisor would
   * restart it after). */
  nx_handle_t task =
      (nx_handle_t)t_start_app(P, start, "irq_child", 64, start->uart_irq, NX_RIGHT_MANAGE);
  nx_thread_yield(); /* it binds and waits */
  t_expect(P, "task_kill", nx_task_kill(task, 9), NX_OK);
  nx_task_info_t ti;
  t_expect(P, "task_info", nx_task_info(task, &ti), NX_OK);
  t_say(P ": a driver killed with the line bound: %u pages left charged to it\n",
        (unsigned)ti.pages_used);
  t_expect(P, "its notification freed", (int64_t)ti.pages_used, 0);
  nx_handle_close(task);
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification_create", nx_notification_create());
  t_expect(P, "interrupt_bind", nx_interrupt_bind(start->uart_irq, n, BIT), NX_OK);
  t_expect(P, "bind twice", nx_interrupt_bind(start->uart_irq, n, BIT), NX_ERR_BUSY);
  t_expect(P, "ack before any interrupt", nx_interrupt_ack(start->uart_irq), NX_ERR_INVALID_ARGS);
  t_expect(P, "nothing pending yet", nx_notification_wait(n, BIT, 0), NX_ERR_TIMED_OUT);

  uint8_t old_ier = uart[UART_IER];
  uart[UART_IER] = (uint8_t)(old_ier | IER_THRE);
  int64_t bits = nx_notification_wait(n, BIT, (uint64_t)nx_clock_get() + 1000 * MS);
  uint8_t iir = uart[UART_IIR]; /* reading IIR clears the THR-empty interrupt */
  uart[UART_IER] = old_ier;
  int64_t ack = nx_interrupt_ack(start->uart_irq);
  t_say(P ": UART interrupt arrived as bits %#llx (IIR %#x)\n", (unsigned long long)bits, iir);
  t_expect(P, "the bound bit", bits, (int64_t)BIT);
  t_expect(P, "IIR names THR empty", (iir & IIR_NO_INT) == 0 && (iir & IIR_ID_MASK) == IIR_THRE, 1);
  t_expect(P, "interrupt_ack", ack, NX_OK);
  t_expect(P, "ack twice", nx_interrupt_ack(start->uart_irq), NX_ERR_INVALID_ARGS);

  /* The device is quiet again: the line stays silent. */
  int64_t again = nx_notification_wait(n, BIT, (uint64_t)nx_clock_get() + 100 * MS);
  t_say(P ": second wait with the interrupt disabled: %s\n", t_err(again));
  t_expect(P, "second wait", again, NX_ERR_TIMED_OUT);
  t_say(t_failures ? P ": FAILED\n" : P ": interrupt delivered and quiet after ack\n");
  return t_failures;
}

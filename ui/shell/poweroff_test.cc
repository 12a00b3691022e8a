// poweroff: asks the system service to shut down.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;

TEST(Poweroff, ShutsDownAndEndsTheShell) {
  FakeSys f;
  EXPECT_EQ(f.Run("poweroff"), SHELL_EXIT);
  EXPECT_EQ(f.shutdowns, 1);
  EXPECT_EQ(f.TakeOutput(), "powering off\r\n");
}

TEST(Poweroff, AFailureIsShownAndTheShellGoesOn) {
  FakeSys f;
  f.shutdown_error = NX_ERR_ACCESS_DENIED;
  EXPECT_EQ(f.Run("poweroff"), SHELL_GO_ON);
  EXPECT_EQ(f.shutdowns, 1);
  EXPECT_EQ(f.TakeOutput(), "powering off\r\npoweroff: system service: access-denied\r\n");
}

}  // namespace

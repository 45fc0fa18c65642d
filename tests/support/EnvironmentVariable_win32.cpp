#include "EnvironmentVariable.h"

#include <cstdlib>

namespace TokenBroker::Test {

void setEnvironmentVariable(const std::string& name, const std::optional<std::string>& value)
{
    // _putenv_s updates the C runtime's copy and the process environment
    // block alike; an empty value removes the variable.
    ::_putenv_s(name.c_str(), value ? value->c_str() : "");
}

} // namespace TokenBroker::Test

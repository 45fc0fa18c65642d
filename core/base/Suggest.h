#pragma once

#include <string>
#include <vector>

namespace TokenBroker {

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo (distance <= max(1, len/3)); empty otherwise.
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "" — ready to append to an error message.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

} // namespace TokenBroker

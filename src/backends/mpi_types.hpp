#pragma once
// Fixed-layout records travel as MPI datatypes (no serialization cost); partial
// results with vectors go through Boost.Serialization.
#include <boost/mpi/datatype.hpp>

#include "core/range.hpp"
#include "core/primes.hpp"
#include "report/timer.hpp"

BOOST_IS_MPI_DATATYPE(pardemo::core::Range)
BOOST_IS_MPI_DATATYPE(pardemo::report::Span)
BOOST_IS_MPI_DATATYPE(pardemo::report::WorkerTimes)
BOOST_IS_MPI_DATATYPE(pardemo::core::primes::Partial)

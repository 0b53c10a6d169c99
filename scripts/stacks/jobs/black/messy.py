# ruff: noqa  (black's input: unformatted on purpose)
import os,sys
def f( a,b = 1, *args,**kw ) :
  x = { 'a':1,'b':[1,2,3,],'c' : (a,b)}
  if a==b : return x
  return [i**2 for i in range( 10 ) if i%2==0 ]
class  K( object ) :
    def m(self):pass
